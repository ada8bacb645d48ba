import { describe, expect, it } from "vitest";
import { deviceAuthPayload } from "../../src/auth/device-proof";
import { TestClient, connectParams, errorOf } from "../support/client";

const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** A device as ArgentOS apps make one: an Ed25519 key pair, id = SHA-256 of the raw public key. */
async function newDevice() {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const raw = (await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer;
  return { pair, publicKey: b64url(raw), id: hex(await crypto.subtle.digest("SHA-256", raw)) };
}

type Device = Awaited<ReturnType<typeof newDevice>>;

async function proof(device: Device, params: Record<string, any>, nonce: string, over: { signedAt?: number; id?: string } = {}) {
  const signedAt = over.signedAt ?? Date.now();
  const payload = deviceAuthPayload(device.id, signedAt, {
    clientId: params.client.id,
    clientMode: params.client.mode,
    role: params.role,
    requestedScopes: params.scopes,
    token: params.auth.token,
    nonce,
  });
  const signature = await crypto.subtle.sign({ name: "Ed25519" }, device.pair.privateKey, new TextEncoder().encode(payload));
  return { id: over.id ?? device.id, publicKey: device.publicKey, signature: b64url(signature), signedAt, nonce };
}

describe("device identity proofs", () => {
  it("a valid proof alongside the token connects and shows the device in presence", async () => {
    const device = await newDevice();
    const client = await TestClient.open();
    const params = connectParams({ framing: "v3", scopes: ["operator.read"] });
    params.device = await proof(device, params, client.challenge!.payload.nonce);
    const res = await client.request("connect", params, "v3");
    expect(res.ok).toBe(true);
    const me = res.payload.snapshot.presence.find((p: any) => p.key === res.payload.server.connId);
    expect(me.deviceId).toBe(device.id);
    client.close();
  });

  const cases: [string, (d: Device, params: any, nonce: string) => Promise<any>, string][] = [
    ["another socket's nonce", (d, p) => proof(d, p, crypto.randomUUID()), "unauthorized: device nonce mismatch"],
    ["a stale signature", (d, p, n) => proof(d, p, n, { signedAt: Date.now() - 3 * 60_000 }), "unauthorized: device signature expired"],
    ["an id that is not the key's hash", (d, p, n) => proof(d, p, n, { id: "ab".repeat(32) }), "unauthorized: device id does not match its public key"],
    [
      "a signature over other scopes",
      async (d, p, n) => proof(d, { ...p, scopes: ["operator.read"] }, n),
      "unauthorized: device signature invalid",
    ],
    ["no nonce", async (d, p, n) => ({ ...(await proof(d, p, n)), nonce: undefined }), "unauthorized: device nonce required"],
  ];

  it.each(cases)("refuses %s", async (_name, make, message) => {
    const device = await newDevice();
    const client = await TestClient.open();
    const params = connectParams({ framing: "v3", scopes: ["operator.admin"] });
    params.device = await make(device, params, client.challenge!.payload.nonce);
    const res = await client.request("connect", params, "v3");
    expect(errorOf(res)).toMatchObject({ code: "INVALID_REQUEST", message });
    expect((await client.closed).code).toBe(1008);
  });
});

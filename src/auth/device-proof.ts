import { authFailed } from "../protocol/errors";
import { sha256Hex } from "../util/hash";

/** How far a device's signing time may be from ours. */
export const DEVICE_SIGNATURE_SKEW_MS = 2 * 60 * 1000;

export interface DeviceProof {
  id: string;
  publicKey: string;
  signature: string;
  signedAt: number;
  nonce?: string;
}

export interface SignedFields {
  clientId: string;
  clientMode: string;
  role: string;
  /** Exactly as the client requested them (comma-joined into the payload). */
  requestedScopes: readonly string[];
  token: string | undefined;
  /** This socket's challenge nonce. */
  nonce: string;
}

/** The string a device signs (ArgentOS/OpenClaw "v2" device auth payload). */
export function deviceAuthPayload(deviceId: string, signedAt: number, f: SignedFields): string {
  return ["v2", deviceId, f.clientId, f.clientMode, f.role, f.requestedScopes.join(","), String(signedAt), f.token ?? "", f.nonce].join("|");
}

/**
 * Verifies an Ed25519 device identity proof (wire-protocol.md §2): the nonce is this socket's
 * challenge (always required: no client is "local" on the edge), the signing time is fresh,
 * the id is the SHA-256 of the key and the signature verifies. Returns the device id.
 */
export async function verifyDeviceProof(proof: DeviceProof, f: SignedFields, now = Date.now()): Promise<string> {
  if (!proof.nonce) throw authFailed("unauthorized: device nonce required");
  if (proof.nonce !== f.nonce) throw authFailed("unauthorized: device nonce mismatch");
  if (Math.abs(now - proof.signedAt) > DEVICE_SIGNATURE_SKEW_MS) throw authFailed("unauthorized: device signature expired");
  const rawKey = fromBase64Url(proof.publicKey);
  if (!rawKey || rawKey.byteLength !== 32) throw authFailed("unauthorized: device public key invalid");
  if ((await sha256Hex(rawKey)) !== proof.id.toLowerCase()) {
    throw authFailed("unauthorized: device id does not match its public key");
  }
  const signature = fromBase64Url(proof.signature);
  if (!signature) throw authFailed("unauthorized: device signature invalid");
  let valid = false;
  try {
    const key = await crypto.subtle.importKey("raw", rawKey, { name: "Ed25519" }, false, ["verify"]);
    const payload = new TextEncoder().encode(deviceAuthPayload(proof.id, proof.signedAt, f));
    valid = await crypto.subtle.verify({ name: "Ed25519" }, key, signature, payload);
  } catch {
    valid = false;
  }
  if (!valid) throw authFailed("unauthorized: device signature invalid");
  return proof.id.toLowerCase();
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return undefined;
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  try {
    return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

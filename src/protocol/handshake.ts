import { z } from "zod";
import { GatewayError, ErrorKind, invalidParams, invalidRequest } from "./errors";
import { describeIssues } from "./registry";
import { OPERATOR_SCOPES, type Role } from "./scopes";

/** Protocol versions this gateway speaks: 3 (ArgentOS clients) and 4 (current OpenClaw). */
export const SUPPORTED_PROTOCOLS = [3, 4] as const;
export const HANDSHAKE_TIMEOUT_MS = 10_000;

const ShortText = z.string().max(128);
const Scopes = z.array(z.string().max(64)).max(16);
const DeviceProof = z.strictObject({
  id: z.string().max(128),
  publicKey: z.string().max(256),
  signature: z.string().max(256),
  signedAt: z.number(),
  nonce: z.string().max(128).optional(),
});

/** The reference's connect form: `{clientName, clientDisplayName, mode, token}`. */
const ReferenceConnect = z.strictObject({
  clientName: ShortText.min(1),
  clientDisplayName: ShortText.optional(),
  clientVersion: ShortText.optional(),
  platform: ShortText.optional(),
  instanceId: ShortText.optional(),
  mode: z.enum(["operator", "node", "device"]),
  token: z.string().max(512).optional(),
  auth: z.strictObject({ token: z.string().max(512).optional() }).optional(),
  scopes: Scopes.optional(),
  device: DeviceProof.optional(),
});

/**
 * The v3 connect form as ArgentOS/OpenClaw clients send it. `client` and `auth` are open:
 * clients add descriptive fields over time and must not be locked out for it.
 */
const V3Connect = z.strictObject({
  minProtocol: z.int().min(1),
  maxProtocol: z.int().min(1),
  client: z.looseObject({
    id: ShortText.min(1),
    displayName: ShortText.optional(),
    version: ShortText.optional(),
    platform: ShortText.optional(),
    mode: ShortText.optional(),
    instanceId: ShortText.optional(),
  }),
  role: z.enum(["operator", "node"]).optional(),
  scopes: Scopes.optional(),
  caps: z.array(z.string().max(64)).max(64).optional(),
  commands: z.array(z.string().max(128)).max(256).optional(),
  permissions: z.record(z.string(), z.boolean()).optional(),
  pathEnv: z.string().max(8192).optional(),
  auth: z.looseObject({ token: z.string().max(512).optional(), password: z.string().max(512).optional() }).optional(),
  device: DeviceProof.optional(),
  locale: ShortText.optional(),
  userAgent: z.string().max(512).optional(),
});

/** Both forms, normalised. */
export interface ConnectRequest {
  protocol: number;
  role: Role;
  /** The reference's `mode: "device"`: an operator that must be a paired device. */
  asDevice: boolean;
  client: { id: string; displayName?: string; version?: string; platform?: string; mode: string; instanceId?: string };
  requestedScopes?: string[];
  token?: string;
  device?: z.infer<typeof DeviceProof>;
}

/** The fields a device proof signs, as this connect request sent them. */
export function signedFieldsOf(req: ConnectRequest, nonce: string) {
  return {
    clientId: req.client.id,
    clientMode: req.client.mode,
    role: req.role,
    requestedScopes: req.requestedScopes ?? [],
    token: req.token,
    nonce,
  };
}

export function parseConnect(raw: unknown): ConnectRequest {
  const isV3 = typeof raw === "object" && raw !== null && ("minProtocol" in raw || "client" in raw);
  if (!isV3) {
    const parsed = ReferenceConnect.safeParse(raw);
    if (!parsed.success) throw invalidParams("connect", describeIssues(parsed.error));
    const p = parsed.data;
    return {
      protocol: 3,
      role: p.mode === "node" ? "node" : "operator",
      asDevice: p.mode === "device",
      client: {
        id: p.clientName,
        displayName: p.clientDisplayName,
        version: p.clientVersion,
        platform: p.platform,
        mode: p.mode,
        instanceId: p.instanceId,
      },
      requestedScopes: p.scopes,
      token: p.token ?? p.auth?.token,
      device: p.device,
    };
  }
  const parsed = V3Connect.safeParse(raw);
  if (!parsed.success) throw invalidParams("connect", describeIssues(parsed.error));
  const p = parsed.data;
  const protocol = negotiate(p.minProtocol, p.maxProtocol);
  return {
    protocol,
    role: p.role ?? "operator",
    asDevice: false,
    client: {
      id: p.client.id,
      displayName: p.client.displayName,
      version: p.client.version,
      platform: p.client.platform,
      mode: p.client.mode ?? "cli",
      instanceId: p.client.instanceId,
    },
    requestedScopes: p.scopes,
    token: p.auth?.token ?? p.auth?.password,
    device: p.device,
  };
}

/** The highest version we speak inside the client's range. */
function negotiate(min: number, max: number): number {
  const fits = SUPPORTED_PROTOCOLS.filter((v) => v >= min && v <= max);
  if (fits.length === 0) {
    throw new ProtocolMismatch();
  }
  return Math.max(...fits);
}

/** Closes with 1002 instead of 1008. */
export class ProtocolMismatch extends GatewayError {
  constructor() {
    super(ErrorKind.InvalidRequest, "protocol mismatch", {
      expectedProtocol: Math.max(...SUPPORTED_PROTOCOLS),
      supportedProtocols: [...SUPPORTED_PROTOCOLS],
    });
  }
}

/** Token-authenticated operators that ask for nothing get admin; nodes get no operator scopes. */
export function grantedScopes(req: ConnectRequest): string[] {
  if (req.role === "node") return [];
  if (!req.requestedScopes || req.requestedScopes.length === 0) return ["operator.admin"];
  const known = new Set<string>(OPERATOR_SCOPES);
  return [...new Set(req.requestedScopes.filter((s) => known.has(s)))];
}

export const notConnectFirst = () => invalidRequest("first request must be connect");

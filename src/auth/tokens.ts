import { sha256Hex } from "../util/hash";

/** A new gateway token: 32 random bytes, base64url, prefixed so it is recognisable in a leak scan. */
export function generateToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `agt_${btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/** Tokens are stored and compared only as SHA-256 hashes. */
export const hashToken = (token: string) => sha256Hex(token);

/** Constant-time comparison of a presented token against a stored hash. */
export async function tokenMatches(presented: string, storedHash: string): Promise<boolean> {
  const a = new TextEncoder().encode(await hashToken(presented));
  const b = new TextEncoder().encode(storedHash);
  if (a.byteLength !== b.byteLength) return false;
  return crypto.subtle.timingSafeEqual(a, b);
}

/** A short, non-reversible tag of a token hash, kept on each socket to find stale sessions. */
export const tokenFingerprint = (storedHash: string) => storedHash.slice(0, 16);

import { GatewayError, ErrorKind } from "../protocol/errors";

/**
 * Seals secret config values with AES-GCM (WebCrypto). The key is the Worker secret
 * CONFIG_ENCRYPTION_KEY (base64 of 32 bytes). Format: `v1.<iv b64>.<ciphertext b64>`.
 */
export class SecretBox {
  private keyPromise?: Promise<CryptoKey>;

  constructor(private readonly keyB64: string | undefined) {}

  private key(): Promise<CryptoKey> {
    if (!this.keyB64) {
      throw new GatewayError(ErrorKind.Internal, "secret storage is not configured (CONFIG_ENCRYPTION_KEY)");
    }
    this.keyPromise ??= importKey(this.keyB64);
    return this.keyPromise;
  }

  async seal(plaintext: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await this.key(), new TextEncoder().encode(plaintext));
    return `v1.${toB64(iv)}.${toB64(new Uint8Array(ct))}`;
  }

  async open(sealed: string): Promise<string> {
    const [version, iv, ct] = sealed.split(".");
    if (version !== "v1" || !iv || !ct) throw new GatewayError(ErrorKind.Internal, "stored secrets are unreadable");
    try {
      const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromB64(iv) }, await this.key(), fromB64(ct));
      return new TextDecoder().decode(pt);
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      throw new GatewayError(ErrorKind.Internal, "stored secrets cannot be decrypted with CONFIG_ENCRYPTION_KEY");
    }
  }
}

async function importKey(b64: string): Promise<CryptoKey> {
  let raw: Uint8Array;
  try {
    raw = fromB64(b64.trim());
  } catch {
    raw = new Uint8Array();
  }
  if (raw.length !== 32) {
    throw new GatewayError(ErrorKind.Internal, "CONFIG_ENCRYPTION_KEY must be base64 of 32 bytes");
  }
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

function toB64(bytes: Uint8Array): string {
  // Chunked: spreading a large array into fromCharCode overflows the argument limit.
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
const fromB64 = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

import { isJsonObject, type JsonObject } from '../json-object.ts';

/**
 * The prefix of every client secret the relay mints: the live API's, since SDKs refuse
 * another kind of key in a browser.
 *
 * @example
 * ```ts
 * if (token.startsWith(CLIENT_SECRET_PREFIX)) await keys.open(token, now);
 * ```
 */
export const CLIENT_SECRET_PREFIX = 'ek_';

/**
 * Longest client secret the relay reads (a longer one is `malformed` unread). It travels in a
 * header (`Authorization`, or a WebSocket subprotocol), so the session it seals is bounded by
 * {@link MAX_SEALED_SESSION_BYTES}.
 *
 * @example
 * ```ts
 * if (token.length > MAX_CLIENT_SECRET_LENGTH) return refuse('malformed');
 * ```
 */
export const MAX_CLIENT_SECRET_LENGTH = 12_288;

/**
 * Most bytes of session JSON a client secret may seal.
 *
 * @example
 * ```ts
 * if (JSON.stringify(session).length > MAX_SEALED_SESSION_BYTES) return tooLarge();
 * ```
 */
export const MAX_SEALED_SESSION_BYTES = 8_192;

/** What a client secret carries, sealed. */
export interface ClientSecretClaims {
  /** The tenant of the relay token it was minted with (`undefined`: a plain token's). */
  readonly tenant: string | undefined;
  /** When it stops working, in Unix seconds. */
  readonly expiresAt: number;
  /** The session it opens, as policy accepted it (`undefined`: none asked for). */
  readonly session: JsonObject | undefined;
}

/**
 * Why a client secret was refused, each with its own answer: `malformed` (not one of the
 * relay's tokens, or cut short), `unknown_key` (sealed under a key this relay does not hold:
 * rotated out, or another relay's), `altered` (its integrity check failed), `expired`.
 */
export type ClientSecretRefusal = 'malformed' | 'unknown_key' | 'altered' | 'expired';

/** The format byte; a later format gets another. */
const VERSION = 1;
const KEY_ID_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES + IV_BYTES;
/** Binds the ciphertext to its purpose: no other AES-GCM blob under the key passes as a secret. */
const ADDITIONAL_DATA = new TextEncoder().encode('rtwire.client_secret.v1');

interface SealingKey {
  readonly id: Uint8Array;
  readonly key: CryptoKey;
}

/**
 * The keys client secrets are sealed with (AES-256-GCM, through WebCrypto, so on every
 * runtime): the first seals, every one opens, so a key can be rotated by putting the new one
 * first and keeping the old one second until its tokens have expired. Each secret names its
 * key by a 4-byte id (from the key's SHA-256), so a retired key's token is told apart from an
 * altered one.
 *
 * @example
 * ```ts
 * const keys = await ClientSecretKeys.fromSecrets(['k2…', 'k1…']); // base64url, 32 bytes each
 * const value = await keys.seal({ tenant: 'acme', expiresAt: now + 600, session });
 * const opened = await keys.open(value, now); // { ok: true, claims } or { ok: false, reason }
 * ```
 */
export class ClientSecretKeys {
  readonly #keys: readonly SealingKey[];

  private constructor(keys: readonly SealingKey[]) {
    this.#keys = keys;
  }

  /**
   * Keys from configuration: each 32 bytes as base64url (or base64), the sealing one first.
   * Throws a `TypeError` naming the position of a key that is not 32 bytes.
   */
  static async fromSecrets(secrets: readonly string[]): Promise<ClientSecretKeys> {
    if (secrets.length === 0) throw new TypeError('ClientSecretKeys: no key');
    const keys: SealingKey[] = [];
    for (const [index, secret] of secrets.entries()) {
      const raw = decodeKey(secret);
      if (raw?.length !== 32) {
        throw new TypeError(`ClientSecretKeys: key ${index + 1} is not 32 bytes of base64url`);
      }
      keys.push(await importKey(raw));
    }
    return new ClientSecretKeys(keys);
  }

  /** One new random key, for a relay given none (its secrets die with the process). */
  static async generate(): Promise<ClientSecretKeys> {
    return new ClientSecretKeys([await importKey(crypto.getRandomValues(new Uint8Array(32)))]);
  }

  /** Seals `claims` into a client secret: `ek_` and base64url. */
  async seal(claims: ClientSecretClaims): Promise<string> {
    const sealing = this.#keys[0] as SealingKey;
    const plain = new TextEncoder().encode(
      JSON.stringify({ t: claims.tenant ?? null, e: claims.expiresAt, s: claims.session ?? null }),
    );
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: ADDITIONAL_DATA },
        sealing.key,
        plain,
      ),
    );
    const bytes = new Uint8Array(HEADER_BYTES + sealed.length);
    bytes[0] = VERSION;
    bytes.set(sealing.id, 1);
    bytes.set(iv, 1 + KEY_ID_BYTES);
    bytes.set(sealed, HEADER_BYTES);
    return `${CLIENT_SECRET_PREFIX}${toBase64Url(bytes)}`;
  }

  /**
   * Opens a client secret at `nowSeconds` (Unix): its claims, or why it is refused. Never
   * throws, whatever `token` is.
   */
  async open(
    token: string,
    nowSeconds: number,
  ): Promise<
    | { readonly ok: true; readonly claims: ClientSecretClaims }
    | { readonly ok: false; readonly reason: ClientSecretRefusal }
  > {
    const refuse = (reason: ClientSecretRefusal) => ({ ok: false as const, reason });
    if (!token.startsWith(CLIENT_SECRET_PREFIX) || token.length > MAX_CLIENT_SECRET_LENGTH) {
      return refuse('malformed');
    }
    const bytes = fromBase64Url(token.slice(CLIENT_SECRET_PREFIX.length));
    if (bytes === undefined || bytes.length < HEADER_BYTES + TAG_BYTES || bytes[0] !== VERSION) {
      return refuse('malformed');
    }
    const id = bytes.subarray(1, 1 + KEY_ID_BYTES);
    const key = this.#keys.find((candidate) => sameBytes(candidate.id, id));
    if (key === undefined) return refuse('unknown_key');
    let plain: ArrayBuffer;
    try {
      plain = await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: bytes.subarray(1 + KEY_ID_BYTES, HEADER_BYTES),
          additionalData: ADDITIONAL_DATA,
        },
        key.key,
        bytes.subarray(HEADER_BYTES),
      );
    } catch {
      return refuse('altered');
    }
    // Authentic, so made by seal(): a shape it never makes is refused all the same.
    let claims: unknown;
    try {
      claims = JSON.parse(new TextDecoder().decode(plain));
    } catch {
      return refuse('malformed');
    }
    if (!isJsonObject(claims)) return refuse('malformed');
    const { t: tenant, e: expiresAt, s: session } = claims;
    if (
      typeof expiresAt !== 'number' ||
      (tenant !== null && typeof tenant !== 'string') ||
      (session !== null && !isJsonObject(session))
    ) {
      return refuse('malformed');
    }
    if (nowSeconds >= expiresAt) return refuse('expired');
    return {
      ok: true,
      claims: { tenant: tenant ?? undefined, expiresAt, session: session ?? undefined },
    };
  }
}

/**
 * Whether `secret` is a key {@link ClientSecretKeys.fromSecrets} takes: 32 bytes as base64url
 * or base64. For configuration checks, which run before any key is imported.
 *
 * @example
 * ```ts
 * if (!isClientSecretKey(env.CLIENT_SECRET_KEYS)) errors.push('CLIENT_SECRET_KEYS');
 * ```
 */
export function isClientSecretKey(secret: string): boolean {
  return decodeKey(secret)?.length === 32;
}

async function importKey(raw: Uint8Array<ArrayBuffer>): Promise<SealingKey> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw));
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { id: digest.slice(0, KEY_ID_BYTES), key };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

/** A configured key: base64url or base64, padded or not. */
function decodeKey(secret: string): Uint8Array<ArrayBuffer> | undefined {
  const url = secret.trim().replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
  return fromBase64Url(url);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

/**
 * Strict base64url without padding: `undefined` for any other character, an impossible length,
 * or unused bits set in the last character (so one secret has exactly one spelling, and no
 * changed character leaves its bytes as they were).
 */
function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (text.length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Math.floor((text.length * 6) / 8));
  let buffer = 0;
  let bits = 0;
  let out = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (VALUES[code] as number) : -1;
    if (value < 0) return undefined;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[out++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return bytes;
}

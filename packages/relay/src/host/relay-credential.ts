import {
  CLIENT_SECRET_PREFIX,
  type ClientSecretKeys,
  type ClientSecretRefusal,
} from '../client-secrets/client-secret-token.ts';
import type { RelayConfig } from '../config/relay-config.ts';
import type { JsonObject } from '../json-object.ts';
import {
  authenticateRequest,
  INSECURE_KEY_SUBPROTOCOL_PREFIX,
  parseCredential,
  parseSubprotocols,
} from './admission.ts';

/**
 * Who a request is, by the credential it presents: a relay token (`RELAY_TOKENS`) or a client
 * secret the relay minted (`ek_…`, which also carries the session to open), or why neither.
 */
export type RelayCredential =
  | {
      readonly ok: true;
      /** The tenant of the relay token, or the one the client secret was minted for. */
      readonly tenant: string | undefined;
      /** Whether it was a client secret (a browser's credential, not a server's). */
      readonly clientSecret: boolean;
      /** The session a client secret seals, to open the session with. */
      readonly session: JsonObject | undefined;
    }
  | {
      readonly ok: false;
      /** `invalid`: no relay token matched; otherwise why a client secret was refused. */
      readonly reason: 'invalid' | ClientSecretRefusal | 'unknown_tenant';
      /** The 401's one line, naming the reason and nothing of the credential. */
      readonly message: string;
    };

const MESSAGES: Readonly<Record<ClientSecretRefusal | 'unknown_tenant' | 'invalid', string>> = {
  invalid: 'Missing or invalid credential',
  malformed: 'Client secret is malformed or truncated',
  unknown_key:
    'Client secret was sealed with a key this relay does not hold (rotated out, or another relay’s)',
  altered: 'Client secret failed its integrity check (altered)',
  expired: 'Client secret has expired',
  unknown_tenant: 'Client secret names a tenant this relay does not serve',
};

/**
 * Authenticates a request: a client secret (`ek_…`, as `Authorization: Bearer` or the
 * `openai-insecure-api-key.` subprotocol) is opened with `keys` and must name a tenant the
 * relay still serves; any other credential is a relay token, checked by `authenticateRequest`.
 * A client secret is checked even on a relay without `RELAY_TOKENS`: a browser that presents
 * an expired or altered one is told so, not let in as nobody (an `ek_…` key that is not in the
 * secrets' format at all is let in there, as any key is).
 *
 * @example
 * ```ts
 * const credential = await authenticateCredential(request.headers, config, keys, Date.now() / 1000);
 * if (!credential.ok) return textReply(401, credential.message);
 * ```
 */
export async function authenticateCredential(
  headers: { get(name: string): string | null },
  config: Pick<RelayConfig, 'relayTokens'>,
  keys: () => Promise<ClientSecretKeys>,
  nowSeconds: number,
): Promise<RelayCredential> {
  const secret = presentedClientSecret(headers);
  if (secret === undefined) {
    const credential = authenticateRequest(headers, config);
    return credential.ok
      ? { ok: true, tenant: credential.tenant, clientSecret: false, session: undefined }
      : refuse('invalid');
  }
  const opened = await (await keys()).open(secret, nowSeconds);
  if (!opened.ok) {
    // A relay with no tokens lets anyone in, whatever they present: an `ek_…` that is no
    // secret of any relay's (browser SDKs need some `ek_` key) is just such a credential.
    // One of this relay's format that fails its check is still refused, saying why.
    if (opened.reason === 'malformed' && config.relayTokens.length === 0) {
      return { ok: true, tenant: undefined, clientSecret: false, session: undefined };
    }
    return refuse(opened.reason);
  }
  const { tenant, session } = opened.claims;
  if (!servesTenant(config.relayTokens, tenant)) return refuse('unknown_tenant');
  return { ok: true, tenant, clientSecret: true, session };
}

/**
 * The client secret a request presents (`ek_…`, as `Authorization: Bearer` or the
 * `openai-insecure-api-key.` subprotocol), if it presents one.
 *
 * @example
 * ```ts
 * if (presentedClientSecret(request.headers)) return refuse(404, 'call_id_not_found');
 * ```
 */
export function presentedClientSecret(headers: {
  get(name: string): string | null;
}): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.get('authorization') ?? '')?.[1];
  if (bearer?.startsWith(CLIENT_SECRET_PREFIX)) return bearer;
  for (const protocol of parseSubprotocols(headers.get('sec-websocket-protocol'))) {
    const token = protocol.startsWith(INSECURE_KEY_SUBPROTOCOL_PREFIX)
      ? protocol.slice(INSECURE_KEY_SUBPROTOCOL_PREFIX.length)
      : undefined;
    if (token?.startsWith(CLIENT_SECRET_PREFIX)) return token;
  }
  return undefined;
}

/** Whether a secret minted for `tenant` still has a relay token of its tenant behind it. */
function servesTenant(relayTokens: readonly string[], tenant: string | undefined): boolean {
  if (relayTokens.length === 0) return tenant === undefined;
  return relayTokens.some((entry) => parseCredential(entry).tenant === tenant);
}

function refuse(reason: ClientSecretRefusal | 'unknown_tenant' | 'invalid'): RelayCredential {
  return { ok: false, reason, message: MESSAGES[reason] };
}

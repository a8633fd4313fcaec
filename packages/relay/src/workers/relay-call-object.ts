import { createFetchRelay, type FetchRelay } from '../host/fetch-relay.ts';
import type { RelayHost } from '../host/relay-host.ts';
import { invalidConfiguration, stringBindings } from './string-bindings.ts';
import { workersRuntime } from './workers-runtime.ts';

/**
 * The binding under which a worker finds the Durable Object namespace of its calls.
 *
 * @example
 * ```ts
 * // wrangler.toml: [[durable_objects.bindings]] name = "RTWIRE_CALLS", class_name = "RelayCallObject"
 * const calls = env[CALLS_BINDING];
 * ```
 */
export const CALLS_BINDING = 'RTWIRE_CALLS';

/** What the adapter uses of a Durable Object id (the package takes no Workers types). */
export interface CallObjectId {
  toString(): string;
}

/** What the adapter uses of the Durable Object namespace bound as {@link CALLS_BINDING}. */
export interface CallObjectNamespace {
  newUniqueId(): CallObjectId;
  /** Throws for a string that is not an id of this namespace. */
  idFromString(id: string): CallObjectId;
  get(id: CallObjectId): { fetch(request: Request): Promise<Response> };
}

/** A call's id names its object: `rtc_` and the object's id (64 hex digits). */
const CALL_ID = /^rtc_([0-9a-f]{64})$/;
const CALLS_PATH = '/v1/realtime/calls';
const HANGUP = /^\/v1\/realtime\/calls\/([^/]+)\/hangup$/;

/**
 * The Durable Object that holds one forwarded WebRTC call on Workers. A call outlives the
 * request that made it: the relay's sideband to the upstream stays open, and the hangup and
 * the app server's sidebands come later, in other requests. A worker may not use one
 * request's sockets from another, and its isolates share nothing; an object may, and every
 * request for the call is routed to the same one. Its relay is the worker's (the same `env`),
 * and the call's id is `rtc_` and the object's id.
 *
 * @example
 * ```ts
 * // src/worker.ts; wrangler.toml binds RTWIRE_CALLS to the class RelayCallObject.
 * import { createWorkersRelay, RelayCallObject } from '@rtwire/relay/workers';
 *
 * export { RelayCallObject };
 * export default createWorkersRelay();
 * ```
 */
export class RelayCallObject {
  #relay: FetchRelay | undefined;
  readonly #id: string;
  readonly #env: Readonly<Record<string, unknown>>;

  constructor(state: { readonly id: CallObjectId }, env: Readonly<Record<string, unknown>>) {
    this.#id = state.id.toString();
    this.#env = env;
  }

  fetch(request: Request): Promise<Response> | Response {
    this.#relay ??= createFetchRelay(stringBindings(this.#env), workersRuntime, {
      newCallId: () => `rtc_${this.#id}`,
    });
    return this.#relay.ok ? this.#relay.fetch(request) : invalidConfiguration();
  }
}

/**
 * Where a worker sends a request for a forwarded call: an offer with a valid credential to a
 * new object, a hangup or a sideband (`?call_id=`) to the object its call id names.
 * `undefined` for anything else, which the worker answers itself: other routes, preflights,
 * refusals (so a refused offer makes no object), ids no object has.
 *
 * @example
 * ```ts
 * const call = await callObjectFor(request, env.RTWIRE_CALLS, relay.host);
 * if (call !== undefined) return call.fetch(request);
 * ```
 */
export async function callObjectFor(
  request: Request,
  calls: CallObjectNamespace,
  host: RelayHost,
): Promise<{ fetch(request: Request): Promise<Response> } | undefined> {
  const url = new URL(request.url);
  if (request.method === 'POST' && url.pathname === CALLS_PATH) {
    const credential = await host.authenticate(request.headers);
    return credential.ok ? calls.get(calls.newUniqueId()) : undefined;
  }
  let callId: string | null = null;
  if (request.method === 'POST') callId = HANGUP.exec(url.pathname)?.[1] ?? null;
  else if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
    callId = url.searchParams.get('call_id');
  }
  const objectId = callId === null ? undefined : CALL_ID.exec(callId)?.[1];
  if (objectId === undefined) return undefined;
  try {
    return calls.get(calls.idFromString(objectId));
  } catch {
    // Not an id of this namespace: no such call.
    return undefined;
  }
}

/**
 * The namespace bound as {@link CALLS_BINDING} in `env`, when there is one.
 *
 * @example
 * ```ts
 * const calls = callObjectNamespace(env);
 * ```
 */
export function callObjectNamespace(
  env: Readonly<Record<string, unknown>>,
): CallObjectNamespace | undefined {
  const binding = env[CALLS_BINDING] as Partial<CallObjectNamespace> | undefined;
  return typeof binding?.newUniqueId === 'function' &&
    typeof binding.idFromString === 'function' &&
    typeof binding.get === 'function'
    ? (binding as CallObjectNamespace)
    : undefined;
}

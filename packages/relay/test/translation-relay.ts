import { parseRelayConfig } from '../src/config/relay-config.ts';
import { createRelayHost, type PendingSession } from '../src/host/relay-host.ts';
import { MemoryUsageStore } from '../src/metering/memory-usage-store.ts';
import type { UsageRecord } from '../src/metering/usage-record.ts';
import { parseRelayPolicy } from '../src/policy/relay-policy.ts';
import type { UpstreamRequest } from '../src/upstream/upstream-connector.ts';
import { MemorySocket } from './memory-socket.ts';
import { tick } from './wait.ts';

export const TRANSLATIONS = '/v1/realtime/translations?model=gpt-realtime-translate';

/** A relay host whose sessions open on memory sockets; `tenant` rules for tenant acme. */
export function translationRelay(tenant?: Record<string, unknown>) {
  const parsed = parseRelayConfig({
    RELAY_TOKENS: 'acme:tok_acme',
    RESUME_ATTEMPTS: '3',
    CLIENT_SECRET_KEYS: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
  });
  if (!parsed.ok) throw new Error('config');
  const policy = tenant === undefined ? undefined : parseRelayPolicy({ tenants: { acme: tenant } });
  if (policy !== undefined && !policy.ok) throw new Error(JSON.stringify(policy.errors));
  const requests: UpstreamRequest[] = [];
  const upstreams: MemorySocket[] = [];
  const records: UsageRecord[] = [];
  const host = createRelayHost({
    config: parsed.config,
    ...(policy === undefined ? {} : { policy: policy.policy }),
    usageStore: new MemoryUsageStore(),
    usageSink: { write: (record) => records.push(record) },
    connectUpstream: async (request) => {
      requests.push(request);
      const upstream = new MemorySocket();
      upstreams.push(upstream);
      return upstream;
    },
  });
  const open = async (url = TRANSLATIONS, token = 'tok_acme') => {
    const admission = await host.admit({
      url,
      headers: new Headers({ authorization: `Bearer ${token}` }),
    });
    if (!admission.ok) throw new Error(`refused: ${admission.code}`);
    const client = new MemorySocket();
    const session = (admission as PendingSession).open(client);
    await tick();
    return { client, upstream: upstreams.at(-1) as MemorySocket, session, admission };
  };
  return { host, requests, records, open };
}

export const frame = (event: Record<string, unknown>) => JSON.stringify(event);
/** Base64 of `seconds` of 24 kHz PCM16 silence. */
export const pcmSeconds = (seconds: number) => btoa('\0'.repeat(Math.round(seconds * 48_000)));

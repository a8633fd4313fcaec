/**
 * CPU per audio delta through a relay session while a hidden server tool's call is withheld
 * (its output not yet sent) against the same session with nothing withheld, in one run. The
 * sockets are in memory and drop what they are sent, so the figure is the relay's own work per
 * frame: peek, features, send. Rounds alternate the two cases so a noisy machine hits both.
 *
 * Run: `pnpm --filter @rtwire/relay bench`.
 */
import { parseRelayConfig } from '../src/config/relay-config.ts';
import { parseRelayPolicy, policyForTenant } from '../src/policy/relay-policy.ts';
import { startRelaySession } from '../src/relay-session.ts';
import { MemorySocket } from '../test/memory-socket.ts';

const DELTAS = 50_000;
const ROUNDS = 7;

/** The tests' in-memory socket, keeping nothing it is sent (a run sends 50,000 deltas a case). */
class NullSocket extends MemorySocket {
  override send(): void {}
}

const parsed = parseRelayConfig({});
if (!parsed.ok) throw new Error('config');
const limits = { ...parsed.config, rateLimitPerSecond: 1e9, rateLimitBurst: 1e9 };
const policy = parseRelayPolicy({
  default: {
    onViolation: 'clamp',
    serverTools: [
      {
        name: 'lookup',
        description: 'Looks an order up.',
        parameters: { type: 'object', properties: {} },
        url: 'http://127.0.0.1:9/tool',
        visibility: 'hidden',
      },
    ],
  },
});
if (!policy.ok) throw new Error(JSON.stringify(policy.errors));
const tenantRules = policyForTenant(policy.policy, undefined);
if (tenantRules === undefined) throw new Error('no tenant');
const rules = tenantRules;

// A handler that holds its output until the session ends: the call stays withheld.
const handlers = new Map([
  [
    'lookup',
    (_call: unknown, signal: AbortSignal) =>
      new Promise((resolve) => signal.addEventListener('abort', () => resolve('{}'))),
  ],
]);

const delta = (outputIndex: number) =>
  `{"type":"response.output_audio.delta","event_id":"event_1","response_id":"resp_1","item_id":"item_a","output_index":${outputIndex},"content_index":0,"delta":"${'A'.repeat(6400)}"}`;

async function session(withheld: boolean, itemAfter: boolean) {
  const upstream = new NullSocket();
  const relay = startRelaySession({
    client: new NullSocket(),
    connectUpstream: async () => upstream,
    model: undefined,
    limits,
    policy: { rules, handlers },
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  const deliver = (frame: string) => upstream.deliver(frame);
  deliver('{"type":"session.created","event_id":"e0","session":{"type":"realtime"}}');
  deliver('{"type":"response.created","event_id":"e1","response":{"id":"resp_1"}}');
  if (withheld) {
    // The model speaks at output 0 and calls the hidden tool at output 1.
    deliver(
      '{"type":"response.output_item.done","event_id":"e2","response_id":"resp_1","output_index":1,"item":{"id":"item_call","type":"function_call","name":"lookup","call_id":"call_1","arguments":"{}"}}',
    );
  }
  if (itemAfter) {
    // Then speaks again at output 2: shown to the client as output 1.
    deliver(
      '{"type":"response.output_item.added","event_id":"e3","response_id":"resp_1","output_index":2,"item":{"id":"item_b","type":"message","role":"assistant","content":[]}}',
    );
  }
  return { relay, deliver };
}

async function cpuPerDelta(withheld: boolean, outputIndex: number): Promise<number> {
  const { relay, deliver } = await session(withheld, outputIndex > 0);
  const frame = delta(outputIndex);
  const start = process.cpuUsage();
  for (let index = 0; index < DELTAS; index++) deliver(frame);
  const used = process.cpuUsage(start);
  relay.close(1000, 'bench');
  return ((used.user + used.system) * 1000) / DELTAS; // ns per delta
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

await cpuPerDelta(false, 0); // warm-up
const none: number[] = [];
const withheldBefore: number[] = [];
const withheldAfter: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  none.push(await cpuPerDelta(false, 0));
  withheldBefore.push(await cpuPerDelta(true, 0));
  withheldAfter.push(await cpuPerDelta(true, 2));
}
const base = median(none);
console.log(`audio deltas of 6.4 kB, ${DELTAS} per case, median of ${ROUNDS} alternating rounds`);
console.log(`  nothing withheld:                        ${base.toFixed(0)} ns CPU per delta`);
console.log(
  `  a hidden call withheld (delta before it): ${median(withheldBefore).toFixed(0)} ns  ratio ${(median(withheldBefore) / base).toFixed(3)} (goal ≤ 1.10)`,
);
console.log(
  `  a hidden call withheld (delta of an item after it: peeked, renumbered, re-encoded): ${median(withheldAfter).toFixed(0)} ns  ratio ${(median(withheldAfter) / base).toFixed(3)}`,
);

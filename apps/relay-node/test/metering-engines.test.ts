import { describe, expect, it } from 'vitest';
import {
  cascadeEnv,
  connectClient,
  fakeBackendPerTest,
  startRelay,
  type TestClient,
  upgradeStatus,
} from './helpers.ts';

// The same tenant limits on the relay's own engines: the simulator, and the cascade over an
// OpenAI-compatible model server. (A network upstream is covered by metering-redis and
// metering-soak, WebRTC calls by @rtwire/node's call-server test.)

const CAP = 600;
const ASKED = 40;
const POLICY = JSON.stringify({
  tenants: { acme: { limits: { concurrentSessions: 1, tokens: { perMinute: CAP } } } },
});

const backend = fakeBackendPerTest();

const engines: Record<string, () => Record<string, string>> = {
  simulator: () => ({}),
  cascade: () => cascadeEnv(backend(), 'sk-model'),
};

type Event = { type: string; [key: string]: unknown };

/** The codes of the upgrades the relay refused, from its log lines, in order. */
const rejections = (logs: string[]) =>
  logs
    .filter((line) => line.includes('"upgrade.rejected"'))
    .map((line) => (JSON.parse(line) as { code?: string }).code);

/** Text turns until the relay refuses or closes; what the session used, and how it ended. */
async function spend(client: TestClient) {
  client.send({
    type: 'session.update',
    session: { type: 'realtime', output_modalities: ['text'] },
  });
  let used = 0;
  for (let turn = 0; turn < 200; turn++) {
    const seen = client.events.length;
    const later = (event: Event) => client.events.indexOf(event) >= seen;
    client.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    });
    client.send({ type: 'response.create', response: { max_output_tokens: ASKED } });
    const next = await Promise.race([
      client.waitFor(
        (event) => later(event) && (event.type === 'response.done' || event.type === 'error'),
        20_000,
      ),
      client.closed.then(() => ({ type: 'closed' }) as Event),
    ]);
    if (next.type !== 'response.done') return { used, turns: turn };
    used += Number((next.response as { usage?: { total_tokens?: number } }).usage?.total_tokens);
  }
  throw new Error('the cap never held');
}

describe.each(Object.keys(engines))('tenant limits on the %s', (engine) => {
  it('a second session at the cap gets 429; the first is stopped at its token cap with quota_exceeded, past it by at most one response', async () => {
    const relay = await startRelay({
      ...(engines[engine] as () => Record<string, string>)(),
      RELAY_TOKENS: 'acme:tok_acme',
      RELAY_POLICY: POLICY,
    });
    const as = { headers: { authorization: 'Bearer tok_acme' } };
    const client = await connectClient(relay.wsUrl, as);
    await client.waitFor((event) => event.type === 'session.created');
    expect((await upgradeStatus(relay.wsUrl, as)).status).toBe(429);
    expect(rejections(relay.logs).at(-1)).toBe('too_many_sessions');

    const { used, turns } = await spend(client);
    expect(turns).toBeGreaterThan(0);
    const refusal = client.events.find((event) => event.type === 'error') as Event | undefined;
    expect(refusal).toMatchObject({ error: { code: 'quota_exceeded' } });
    // What the last response may have used beyond the cap: its output, and the context it read.
    const lastDone = client.events.filter((event) => event.type === 'response.done').at(-1) as
      | { response: { usage: { total_tokens: number } } }
      | undefined;
    expect(used).toBeLessThanOrEqual(CAP + (lastDone?.response.usage.total_tokens ?? 0));
    expect(used).toBeGreaterThan(CAP / 2);
    // Spent mid-session: the error comes right after the response that spent it, then 1008.
    // Refused at the start of a response instead (what is left cannot hold it), the session
    // stays open.
    const errorAt = client.events.indexOf(refusal as Event);
    const spentMidSession = client.events[errorAt - 1]?.type === 'response.done';
    const closed = spentMidSession ? await client.closed : undefined;
    if (closed !== undefined) {
      expect(closed.code).toBe(1008);
      expect(client.events.at(-1)).toBe(refusal);
    }
    console.log(
      `${engine}: ${used} tokens of ${CAP} in ${turns} responses, then ${closed === undefined ? 'refused a response' : `closed ${closed.code}`}`,
    );
    // The slot comes back with the session. A session closed at its cap leaves the tenant out of
    // tokens for the rest of the minute (429 quota_exceeded); one refused a response because
    // what is left cannot hold the context it would read leaves room for a fresh session.
    client.ws.close();
    await client.closed;
    const expected = closed === undefined ? 'admitted' : 'quota_exceeded';
    const deadline = Date.now() + 10_000;
    let outcome: string | undefined;
    while (outcome !== expected && Date.now() < deadline) {
      const { status } = await upgradeStatus(relay.wsUrl, as);
      outcome = status === 101 ? 'admitted' : rejections(relay.logs).at(-1);
      if (outcome !== expected) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(outcome).toBe(expected);
  }, 60_000);
});

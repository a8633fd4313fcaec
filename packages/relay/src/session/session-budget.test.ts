import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemorySocket } from '../../test/memory-socket.ts';
import { tick, until } from '../../test/wait.ts';
import { parseRelayConfig, type RelayConfig } from '../config/relay-config.ts';
import { createRelayHost } from '../host/relay-host.ts';
import { RelayMetrics } from '../observe/relay-metrics.ts';
import { type RelaySessionLimits, startRelaySession } from '../relay-session.ts';
import { sessionBudgetBytes, sessionHeldBytes } from './session-budget.ts';
import { createSessionContext } from './session-context.ts';

const MIB = 1024 * 1024;

const configFrom = (env: Record<string, string>): RelayConfig => {
  const result = parseRelayConfig(env);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
};

/** An upstream with memory behind it, as an in-process engine has: it reports what it holds. */
class HoldingUpstream extends MemorySocket {
  heldBytes = 0;
  constructor(private readonly keepsPerByte = 0) {
    super();
  }
  override send(data: string | Uint8Array, binary: boolean): void {
    super.send(data, binary);
    this.heldBytes += data.length * this.keepsPerByte;
  }
}

describe('what a session holds', () => {
  it('counts what the upstream side holds and what each feature holds beside the buffers', () => {
    const client = new MemorySocket();
    const { context } = createSessionContext({
      client,
      limits: { ...configFrom({}), resumeAttempts: 3 },
    });
    client.bufferedAmount = 1;
    context.state.earlyBytes = 10;
    // As the server tools and the resume copy report what they hold.
    context.features.push({ name: 'tools', heldBytes: () => 100 });
    context.features.push({ name: 'copy', heldBytes: () => 1000 });
    const upstream = new HoldingUpstream();
    upstream.bufferedAmount = 10_000;
    upstream.heldBytes = 100_000;
    context.state.upstream = upstream;
    const retiring = new HoldingUpstream();
    retiring.heldBytes = 1_000_000;
    context.state.retiring = retiring;
    expect(sessionHeldBytes(context)).toBe(1_111_111);
  });

  it('closes a session with 1013 as soon as a frame makes it hold more than its budget', async () => {
    const limits: RelaySessionLimits = {
      maxFrameBytes: 1 << 20,
      rateLimitPerSecond: 0,
      rateLimitBurst: 1,
      highWaterBytes: 1 << 20,
      hardLimitBytes: 1 << 22,
      maxSessionBufferedBytes: 100_000,
    };
    const client = new MemorySocket();
    // An engine that keeps ten bytes for each byte it is sent (a conversation that grows).
    const upstream = new HoldingUpstream(10);
    const metrics = new RelayMetrics();
    const session = startRelaySession({
      client,
      connectUpstream: async () => upstream,
      model: undefined,
      limits,
      metrics,
    });
    await tick();
    const item = `{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"${'x'.repeat(900)}"}]}}`;
    let sent = 0;
    while (client.closedWith === undefined && sent < 100) {
      client.deliver(item);
      sent++;
    }
    expect(client.closedWith).toEqual({ code: 1013, reason: 'session buffer budget exceeded' });
    // Closed by the frame that passed the budget, not one later.
    expect(sent).toBe(Math.floor(100_000 / (item.length * 10)) + 1);
    expect(upstream.closedWith?.code).toBe(1000);
    expect(metrics.errors.get('session_budget_exceeded')).toBe(1);
    await expect(session.done).resolves.toBe(1013);
  });
});

describe('the host and what upstreams hold', () => {
  const upgrade = { url: '/v1/realtime', headers: new Headers() };

  async function openSessions(config: RelayConfig, held: number[]) {
    const upstreams = held.map((bytes) => {
      const upstream = new HoldingUpstream();
      upstream.heldBytes = bytes;
      return upstream;
    });
    let next = 0;
    const host = createRelayHost({
      config,
      connectUpstream: async () => upstreams[next++] as HoldingUpstream,
    });
    const clients = await Promise.all(
      held.map(async () => {
        const admission = await host.admit(upgrade);
        if (!admission.ok) throw new Error('not admitted');
        const client = new MemorySocket();
        admission.open(client);
        return client;
      }),
    );
    await tick();
    return { host, clients };
  }

  it('counts them toward MAX_BUFFERED_BYTES, closing the largest holder', async () => {
    const { host, clients } = await openSessions(
      configFrom({ MAX_BUFFERED_BYTES: String(MIB) }),
      [100_000, 900_000, 300_000],
    );
    await until(() => clients[1]?.closedWith !== undefined, 'the largest holder closed');
    expect(clients.map((client) => client.closedWith?.code)).toEqual([undefined, 1013, undefined]);
    expect(clients[1]?.closedWith?.reason).toBe('relay buffer budget exceeded');
    host.drain();
    await host.idle(1000);
  });

  it('closes a session past its own budget while the process is well under its own', async () => {
    const config = configFrom({});
    const { host, clients } = await openSessions(config, [1000, sessionBudgetBytes(config) + 1]);
    await until(() => clients[1]?.closedWith !== undefined, 'the session over its budget closed');
    expect(clients[1]?.closedWith?.code).toBe(1013);
    expect(clients[0]?.closedWith).toBeUndefined();
    host.drain();
    await host.idle(1000);
  });
});

describe('the README on what one client can hold', () => {
  it('states the figures the configuration defaults give', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(
      readme.indexOf('## What one client can hold'),
      readme.indexOf('\n## ', readme.indexOf('## What one client can hold') + 1),
    );
    const figures = new Map<string, number>();
    for (const [, name, arithmetic, mib] of section.matchAll(
      /^\| ([^|]+?) \| ([^|]+?) \| (\d+) MiB \|$/gm,
    )) {
      figures.set((name as string).split(':')[0] as string, Number(mib));
      // The arithmetic shown adds up to the figure it gives.
      const sum = /= (.+)$/.exec(arithmetic as string)?.[1];
      if (sum !== undefined) expect(evaluate(sum), name).toBe(Number(mib));
    }
    const config = configFrom({});
    const budget = sessionBudgetBytes(config);
    // A client message arriving, what it adds as it passes, the engine's queue (a hard limit).
    const mostOneClient = budget + 2 * config.maxFrameBytes + config.hardLimitBytes;
    expect(Object.fromEntries(figures)).toEqual({
      'Hard limit': config.hardLimitBytes / MIB,
      'Session budget': budget / MIB,
      'Most one client holds': mostOneClient / MIB,
      'All sessions, at each look': config.maxBufferedBytes / MIB,
      'All sessions, at most': (config.maxSessions * mostOneClient) / MIB,
    });
  });
});

/** Sums and products of whole numbers, as the README's arithmetic column writes them. */
function evaluate(expression: string): number {
  return expression
    .split('+')
    .map((term) =>
      term
        .split('×')
        .map((factor) => Number(factor.trim()))
        .reduce((product, factor) => product * factor, 1),
    )
    .reduce((sum, term) => sum + term, 0);
}

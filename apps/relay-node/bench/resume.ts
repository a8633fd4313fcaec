/**
 * Resume benchmark: what a kept conversation costs an idle session, and how long a session
 * waits from an upstream drop to the first frame of its next response. The relay is the build
 * (`dist/main.js`) in its own process; the upstream is a small Realtime server in this one
 * (test-support/fake-realtime.ts) whose connections the bench drops (terminate: the relay sees
 * 1006). Prints figures and ratios; asserts nothing.
 *
 *   pnpm bench:resume
 *   BENCH_RESUME_SESSIONS=300 BENCH_RESUME_DROPS=50 pnpm bench:resume
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ResponseWriter, ServerEvents } from '@rtwire/builders';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { createFakeRealtime } from '../../../test-support/fake-realtime.ts';
import { spawnRelay } from '../test/spawn-relay.ts';

const SESSIONS = Number(process.env.BENCH_RESUME_SESSIONS ?? 100);
const ITEMS = 50;
const DROPS = Number(process.env.BENCH_RESUME_DROPS ?? 30);

function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startUpstream() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const sockets: WebSocket[] = [];
  server.on('connection', (socket) => {
    socket.on('error', () => {});
    const fake = createFakeRealtime({ ResponseWriter, ServerEvents }, (text) => socket.send(text));
    sockets.push(socket);
    socket.on('message', (data: RawData) => fake.receive(data.toString()));
    socket.on('close', () => fake.stop());
  });
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/v1/realtime`, sockets, close: () => server.close() };
}

/** A client that counts what it receives and can wait for a type. */
async function connect(url: string) {
  const ws = new WebSocket(`${url}?model=gpt-realtime`, { perMessageDeflate: false });
  const waiters: { type: string; resolve: () => void }[] = [];
  let received = 0;
  ws.on('message', (data: RawData) => {
    received++;
    const text = data.toString();
    for (const waiter of [...waiters]) {
      if (text.includes(`"type":"${waiter.type}"`)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const next = (type: string) => new Promise<void>((resolve) => waiters.push({ type, resolve }));
  const created = next('session.created');
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  await created;
  return { ws, next, received: () => received };
}

let stopping = false;

const item = (text: string) =>
  JSON.stringify({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  });

/** A relay build in its own process, with `env`; the bench stops if it dies. */
async function startRelay(upstreamUrl: string, env: Record<string, string>) {
  const relay = await spawnRelay(
    {
      UPSTREAM_URL: upstreamUrl,
      LOG_LEVEL: 'warn',
      MAX_SESSIONS: String(3 * SESSIONS + 100),
      ...env,
    },
    // A 1 MiB young generation, so RSS shows more of what sessions keep and less of the garbage
    // the collector has had no reason to clear yet (every relay here runs under it alike).
    { built: true, nodeFlags: ['--max-semi-space-size=1'] },
  );
  void relay.exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(
      `the relay exited (code ${code}, signal ${signal}): ${relay.output.join('').slice(-2000)}`,
    );
    process.exit(1);
  });
  return {
    ...relay,
    wsUrl: `${relay.url.replace(/^http/, 'ws')}/v1/realtime`,
    pid: relay.child.pid ?? 0,
  };
}

/** RSS per idle session: first without history, then with a 50-item conversation each. */
async function memory(relay: { wsUrl: string; pid: number }) {
  const warm = await Promise.all(Array.from({ length: 20 }, () => connect(relay.wsUrl)));
  for (const client of warm) client.ws.close();
  await settle(1000);
  const base = rssOf(relay.pid);
  const plain = [];
  for (let index = 0; index < SESSIONS; index++) plain.push(await connect(relay.wsUrl));
  await settle(1500);
  const afterPlain = rssOf(relay.pid);
  const kept = [];
  for (let index = 0; index < SESSIONS; index++) {
    const client = await connect(relay.wsUrl);
    for (let turn = 0; turn < ITEMS; turn++) {
      const done = turn === ITEMS - 1 ? client.next('conversation.item.done') : undefined;
      client.ws.send(item(`turn ${turn}: a sentence of about sixty characters in all.`));
      if (done) await done;
    }
    kept.push(client);
  }
  await settle(1500);
  const afterKept = rssOf(relay.pid);
  for (const client of [...plain, ...kept]) client.ws.close();
  await settle(500);
  return { plain: (afterPlain - base) / SESSIONS, kept: (afterKept - afterPlain) / SESSIONS };
}

async function main() {
  // One upstream per relay, so the drops below terminate only the dropped session's connection.
  const upstream = await startUpstream();
  const controlUpstream = await startUpstream();
  const relay = await startRelay(upstream.url, {});
  const control = await startRelay(controlUpstream.url, { RESUME: 'off' });
  const withoutResume = await memory(control);
  const withResume = await memory(relay);

  // Drops: one session at a time, its upstream connection terminated; the client asks for a
  // response when the relay says it resumed (what an app does on upstream_reconnected), timed
  // from the drop to that response's response.created.
  const times: number[] = [];
  const dropUpstream = await startUpstream();
  // A short window: drops close together share one budget of attempts, so the drops here are
  // spaced past it and each one is a first drop.
  const dropRelay = await startRelay(dropUpstream.url, { RESUME_WINDOW_MS: '200' });
  const client = await connect(dropRelay.wsUrl);
  for (let turn = 0; turn < ITEMS; turn++) client.ws.send(item(`turn ${turn}`));
  await settle(300);
  for (let drop = 0; drop < DROPS; drop++) {
    const resumed = client.next('error');
    const started = performance.now();
    dropUpstream.sockets.at(-1)?.terminate();
    await resumed;
    const created = client.next('response.created');
    const done = client.next('response.done');
    client.ws.send('{"type":"response.create"}');
    await created;
    times.push(performance.now() - started);
    await done;
    await settle(250);
  }
  client.ws.close();

  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(
    [
      '',
      `${SESSIONS} idle sessions without history, then ${SESSIONS} each holding a ${ITEMS}-item conversation, on a relay with resume and one with RESUME=off; ${DROPS} drops of a session with ${ITEMS} items`,
      `relay RSS per idle session, no history: ${kib(withResume.plain)} with resume, ${kib(withoutResume.plain)} without (goal <= 64 KiB)`,
      `relay RSS per idle session, ${ITEMS}-item conversation: ${kib(withResume.kept)} with resume, ${kib(withoutResume.kept)} without: the kept copy costs ${kib(withResume.kept - withoutResume.kept)}`,
      `upstream drop to the next response's first frame: p50 ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (goal <= 250 ms)`,
    ].join('\n'),
  );
  stopping = true;
  for (const process of [relay, control, dropRelay]) {
    process.child.kill('SIGTERM');
    await process.exited;
  }
  for (const server of [upstream, controlUpstream, dropUpstream]) server.close();
}

await main();

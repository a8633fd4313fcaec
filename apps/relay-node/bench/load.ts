/**
 * Load benchmark: N concurrent sessions stream audio deltas from a fast local upstream, once
 * straight to the clients and once through the relay (a child process running dist/main.js),
 * in the same run. Prints frames/s, latency percentiles and the relay's RSS per session.
 *
 *   pnpm bench                       # 100 sessions
 *   BENCH_SESSIONS=200 pnpm bench
 *   BENCH_BASE=/path/to/other/checkout pnpm bench   # also that checkout's build, same rounds
 *   BENCH_POLICY=none pnpm bench                     # without the policy variant
 *
 * Every run also times this build with RELAY_POLICY (bench/policy.json: instructions, voices,
 * a token cap and a server tool that is never called) against the same build without it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, connect as connectTcp } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { spawnRelay } from '../test/spawn-relay.ts';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100);
const FLOOD_FRAMES = Number(process.env.BENCH_FRAMES ?? 2000);
const PACED_FRAMES = 100;
const PACE_MS = 20;
const IDLE_SESSIONS = Number(process.env.BENCH_IDLE_SESSIONS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// 50 ms of 24 kHz PCM16 per delta, as base64.
const AUDIO = Buffer.alloc(2400, 7).toString('base64');
const HIGH_WATER = 1024 * 1024;

/** A relay build and configuration under test, run in the same rounds as the others. */
interface Variant {
  readonly name: string;
  readonly appDir?: string;
  readonly env?: Record<string, string>;
}

const variants: Variant[] = [
  { name: 'relay' },
  ...(process.env.BENCH_BASE
    ? [{ name: 'relay (base)', appDir: `${process.env.BENCH_BASE}/apps/relay-node` }]
    : []),
  ...(process.env.BENCH_POLICY === 'none'
    ? []
    : [
        {
          name: 'relay + policy',
          env: {
            RELAY_POLICY:
              process.env.BENCH_POLICY ?? fileURLToPath(new URL('./policy.json', import.meta.url)),
          },
        },
      ]),
];

/** Upstream: on `response.create` with event_id `flood` or `paced`, streams audio deltas stamped with hrtime. */
async function startUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    socket.on('error', () => {});
    socket.send('{"type":"session.created","event_id":"evt_0","session":{"type":"realtime"}}');
    socket.on('message', (data: RawData) => {
      const text = data.toString();
      const frame = (sequence: number) =>
        `{"type":"response.output_audio.delta","t":${process.hrtime.bigint()},"event_id":"evt_${sequence}","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"${AUDIO}"}`;
      const done =
        '{"type":"response.done","event_id":"evt_done","response":{"object":"realtime.response","id":"resp_1","status":"completed","output":[]}}';
      if (text.includes('"event_id":"flood"')) {
        let sent = 0;
        const pump = () => {
          while (sent < FLOOD_FRAMES && socket.bufferedAmount < HIGH_WATER)
            socket.send(frame(++sent));
          if (sent < FLOOD_FRAMES) setImmediate(pump);
          else socket.send(done);
        };
        pump();
      } else if (text.includes('"event_id":"paced:')) {
        // paced:<offset ms>: one delta every PACE_MS, starting after the offset.
        const offset = Number(/paced:(\d+(?:\.\d+)?)/.exec(text)?.[1] ?? 0);
        let sent = 0;
        setTimeout(() => {
          const timer = setInterval(() => {
            socket.send(frame(++sent));
            if (sent === PACED_FRAMES) {
              clearInterval(timer);
              socket.send(done);
            }
          }, PACE_MS);
        }, offset);
      }
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The relay under test: the build, as its own process (the tests' `spawnRelay`). */
async function startRelay(
  upstreamUrl: string,
  variant: Variant,
): Promise<{ url: string; child: ChildProcess }> {
  // BENCH_PROFILE=dir writes a CPU profile of the relay process there.
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  // BENCH_RELAY_FLAGS: extra node flags for the relay process (e.g. --max-semi-space-size=32).
  const flags = process.env.BENCH_RELAY_FLAGS?.split(' ').filter(Boolean) ?? [];
  const relay = await spawnRelay(
    {
      UPSTREAM_URL: upstreamUrl,
      LOG_LEVEL: 'warn',
      MAX_SESSIONS: String(IDLE_SESSIONS + SESSIONS + 100),
      ...variant.env,
    },
    {
      built: true,
      nodeFlags: [...profile, ...flags],
      ...(variant.appDir ? { appDir: variant.appDir } : {}),
    },
  );
  return { url: `${relay.url.replace(/^http/, 'ws')}/v1/realtime`, child: relay.child };
}

/** CPU time (user + system) a process used so far, in µs (Linux, clock-tick resolution). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

/** Resident set size of a process, in bytes (Linux). */
function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

interface Client {
  ws: WebSocket;
  frames: number;
  latenciesUs: number[];
  onDone?: () => void;
}

async function connect(url: string): Promise<Client> {
  const ws = new WebSocket(`${url}?model=gpt-realtime`, { perMessageDeflate: false });
  const client: Client = { ws, frames: 0, latenciesUs: [] };
  let ready: () => void = () => {};
  const created = new Promise<void>((resolve) => {
    ready = resolve;
  });
  ws.on('message', (data: RawData) => {
    const buffer = data as Buffer;
    // `{"type":"response.output_audio.delta","t":` is 42 bytes; `{"type":"response.done"` ends a phase.
    if (buffer[9] === 0x72 && buffer[18] === 0x6f) {
      const end = buffer.indexOf(0x2c, 42);
      const sentAt = BigInt(buffer.toString('latin1', 42, end));
      client.frames++;
      client.latenciesUs.push(Number(process.hrtime.bigint() - sentAt) / 1000);
    } else if (buffer.includes('"response.done"')) client.onDone?.();
    else if (buffer.includes('"session.created"')) ready();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  await created;
  return client;
}

/** The `q` quantile of ascending `sorted` values (0 when there are none). */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/**
 * `flood`: every session as fast as backpressure allows. `paced`: one delta per PACE_MS per
 * session, sessions spread evenly over the period as independent calls would be. `aligned`:
 * the same, all sessions in phase, so each tick is a burst of one delta per session.
 */
async function phase(clients: Client[], kind: 'flood' | 'paced' | 'aligned') {
  for (const client of clients) {
    client.frames = 0;
    client.latenciesUs = [];
  }
  const started = process.hrtime.bigint();
  await Promise.all(
    clients.map(
      (client, index) =>
        new Promise<void>((resolve) => {
          client.onDone = resolve;
          const offset = kind === 'paced' ? ((index * PACE_MS) / clients.length).toFixed(2) : '0';
          const eventId = kind === 'flood' ? 'flood' : `paced:${offset}`;
          client.ws.send(`{"type":"response.create","event_id":"${eventId}"}`);
        }),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const frames = clients.reduce((sum, client) => sum + client.frames, 0);
  const latencies = clients.flatMap((client) => client.latenciesUs).sort((a, b) => a - b);
  return {
    framesPerSecond: frames / seconds,
    p50Us: quantile(latencies, 0.5),
    p99Us: quantile(latencies, 0.99),
    frames,
  };
}

async function run(mode: string, url: string, relayPid: number | undefined) {
  const clients = await Promise.all(Array.from({ length: SESSIONS }, () => connect(url)));
  // The relay's peak RSS while flooding: one sample after the phase would only see what the
  // collector left behind.
  let rssDuringLoad = 0;
  const sampler =
    relayPid === undefined
      ? undefined
      : setInterval(() => {
          rssDuringLoad = Math.max(rssDuringLoad, rssOf(relayPid));
        }, 10);
  const flood = await phase(clients, 'flood');
  clearInterval(sampler);
  const paced = await phase(clients, 'paced');
  const aligned = await phase(clients, 'aligned');
  await Promise.all(
    clients.map((client) => {
      const closed = new Promise((resolve) => client.ws.once('close', resolve));
      client.ws.close();
      return closed;
    }),
  );
  return { mode, flood, paced, aligned, rssDuringLoad };
}

async function idleRssPerSession(url: string, pid: number): Promise<number> {
  const warm = await Promise.all(Array.from({ length: 20 }, () => connect(url)));
  for (const client of warm) client.ws.close();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = rssOf(pid);
  const idle: Client[] = [];
  for (let index = 0; index < IDLE_SESSIONS; index += 50) {
    idle.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, IDLE_SESSIONS - index) }, () => connect(url)),
      )),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const after = rssOf(pid);
  await Promise.all(
    idle.map((client) => {
      const closed = new Promise((resolve) => client.ws.once('close', resolve));
      client.ws.close();
      return closed;
    }),
  );
  return (after - before) / IDLE_SESSIONS;
}

// An echo server on loopback: the smallest thing a process hop can be.
const ECHO_SERVER = `require('node:net').createServer((s) => { s.setNoDelay(true); s.on('data', (d) => s.write(d)); }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
const FLOOR_PINGS = 2000;

/**
 * The latency floor of any relay on this machine: round trips through an idle echo process on
 * loopback, which is the two process hops a relay adds with no work done in them. Pings are
 * 1-3 ms apart, so the echo process sleeps between them as the relay does between paced deltas.
 */
async function loopbackFloor(): Promise<{ p50Us: number; p99Us: number }> {
  const echo = spawn(process.execPath, ['-e', ECHO_SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve) =>
    echo.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
  );
  const socket = connectTcp(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  const rttsUs: number[] = [];
  for (let index = 0; index < FLOOR_PINGS; index++) {
    await new Promise((resolve) => setTimeout(resolve, 1 + (index % 3)));
    const sentAt = process.hrtime.bigint();
    socket.write('x');
    await new Promise((resolve) => socket.once('data', resolve));
    rttsUs.push(Number(process.hrtime.bigint() - sentAt) / 1000);
  }
  socket.destroy();
  echo.kill();
  rttsUs.sort((a, b) => a - b);
  return { p50Us: quantile(rttsUs, 0.5), p99Us: quantile(rttsUs, 0.99) };
}

const cpuCount = () => availableParallelism();
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main() {
  const floor = await loopbackFloor();
  const upstream = await startUpstream();
  const relays = [];
  for (const variant of variants)
    relays.push({ variant, ...(await startRelay(upstream.url, variant)) });
  const results = new Map<string, Awaited<ReturnType<typeof run>>[]>([
    ['direct', []],
    ...relays.map((relay) => [relay.variant.name, []] as [string, []]),
  ]);
  const cpuUs = new Map<string, number>();
  // Warm-up round, then alternate so drift hits every mode alike.
  await run('direct', upstream.url, undefined);
  for (const relay of relays) await run(relay.variant.name, relay.url, relay.child.pid);
  const baselineRss = rssOf(relays[0]?.child.pid ?? 0);
  let benchCpuUs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const benchBefore = process.cpuUsage();
    results.get('direct')?.push(await run('direct', upstream.url, undefined));
    const benchUsed = process.cpuUsage(benchBefore);
    benchCpuUs += benchUsed.user + benchUsed.system;
    // Each round starts with a different relay, so none always runs first after direct.
    for (let index = 0; index < relays.length; index++) {
      const relay = relays[(round + index) % relays.length]!;
      const pid = relay.child.pid ?? 0;
      const before = cpuOf(pid);
      results.get(relay.variant.name)?.push(await run(relay.variant.name, relay.url, pid));
      cpuUs.set(relay.variant.name, (cpuUs.get(relay.variant.name) ?? 0) + cpuOf(pid) - before);
    }
  }
  const framesPerRound = SESSIONS * (FLOOD_FRAMES + 2 * PACED_FRAMES);
  // A fresh relay process of its own: the timed rounds' heap would hide what idle sessions cost.
  const idleRelay = await startRelay(upstream.url, variants[0]!);
  const idleRss = await idleRssPerSession(idleRelay.url, idleRelay.child.pid ?? 0);
  idleRelay.child.kill('SIGTERM');
  await new Promise((resolve) => idleRelay.child.once('exit', resolve));
  const summary = (mode: string) => {
    const rounds = results.get(mode) ?? [];
    return {
      framesPerSecond: median(rounds.map((result) => result.flood.framesPerSecond)),
      p50Us: median(rounds.map((result) => result.paced.p50Us)),
      p99Us: median(rounds.map((result) => result.paced.p99Us)),
      alignedP50Us: median(rounds.map((result) => result.aligned.p50Us)),
      alignedP99Us: median(rounds.map((result) => result.aligned.p99Us)),
    };
  };
  const direct = summary('direct');
  const relayed = summary('relay');
  const activeRss =
    (median((results.get('relay') ?? []).map((result) => result.rssDuringLoad)) - baselineRss) /
    SESSIONS;
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const ms = (us: number) => `${(us / 1000).toFixed(3)} ms`;
  const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
  /** Per round, this mode's flood rate over the first relay's: drift between rounds cancels. */
  const roundRatio = (mode: string) =>
    median(
      (results.get(mode) ?? []).map(
        (result, round) =>
          result.flood.framesPerSecond /
          (results.get('relay')?.[round]?.flood.framesPerSecond ?? Number.NaN),
      ),
    );
  const modes = ['direct', ...relays.map((relay) => relay.variant.name)];
  const rows = [
    ['mode', 'frames/s (flood)', 'paced p50 / p99', 'aligned p50 / p99', 'CPU per delta'],
    ...modes.map((name) => {
      const result = summary(name);
      const cpu = cpuUs.get(name);
      return [
        name,
        result.framesPerSecond.toFixed(0),
        `${ms(result.p50Us)} / ${ms(result.p99Us)}`,
        `${ms(result.alignedP50Us)} / ${ms(result.alignedP99Us)}`,
        cpu === undefined ? '-' : `${(cpu / (ROUNDS * framesPerRound)).toFixed(2)} µs`,
      ];
    }),
  ];
  const lines = [
    '',
    `${SESSIONS} sessions; per session ${FLOOD_FRAMES} flood deltas, then ${PACED_FRAMES} paced and ${PACED_FRAMES} aligned deltas every ${PACE_MS} ms; ${AUDIO.length}-char audio deltas; median of ${ROUNDS} rounds`,
    '',
    ...rows.map((row) =>
      row.map((cell, index) => cell.padEnd([16, 18, 24, 24, 14][index] ?? 0)).join(' '),
    ),
    '',
    `relay throughput vs direct: ${percent(relayed.framesPerSecond / direct.framesPerSecond)} (goal >= 90%)`,
    ...relays
      .slice(1)
      .map(
        (relay) =>
          `${relay.variant.name} throughput vs relay: ${percent(roundRatio(relay.variant.name))} (median of per-round ratios${relay.variant.name === 'relay + policy' ? '; goal >= 95%' : ''})`,
      ),
    `added latency, paced: p50 ${ms(relayed.p50Us - direct.p50Us)}, p99 ${ms(relayed.p99Us - direct.p99Us)} (goal p99 <= 1 ms)`,
    `loopback floor (round trip through an idle echo process: the hops alone): p50 ${ms(floor.p50Us)}, p99 ${ms(floor.p99Us)}`,
    `added latency, aligned bursts of ${SESSIONS} deltas: p50 ${ms(relayed.alignedP50Us - direct.alignedP50Us)}, p99 ${ms(relayed.alignedP99Us - direct.alignedP99Us)}`,
    `relay RSS per idle session (${IDLE_SESSIONS} sessions): ${kib(idleRss)} (goal <= 64 KiB)`,
    `relay peak RSS per session under flood: ${kib(activeRss)} (direct: no relay process)`,
    `CPU per delta, bench process in direct mode: ${(benchCpuUs / (ROUNDS * framesPerRound)).toFixed(2)} µs (upstream send + client read); ${cpuCount()} CPUs`,
  ];
  console.log(lines.join('\n'));
  for (const relay of relays) {
    relay.child.kill('SIGTERM');
    await new Promise((resolve) => relay.child.once('exit', resolve));
  }
  await upstream.close();
}

await main();

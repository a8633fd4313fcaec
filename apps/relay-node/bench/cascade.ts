/**
 * Cascade benchmark: what the relay in cascade mode adds between a model server's tokens and
 * the client. The model server is the fake one (test-support/fake-openai-backend.ts) in this
 * process, so its write times and the client's receive times share one clock; the relay is
 * the build (`dist/main.js`) in its own process. Two figures per response:
 *   - first token: the backend writes its first token → the first text delta frame arrives;
 *   - last token:  the backend writes its last token → `response.done` arrives.
 * The loopback floor is the same two hops through a process that forwards the chat stream's
 * bytes to a WebSocket as they come, parsing nothing (bench/cascade-floor.mjs). Prints
 * percentiles and what the relay adds; asserts nothing.
 *
 *   pnpm bench:cascade
 *   BENCH_CASCADE_RESPONSES=500 pnpm bench:cascade
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type RawData, WebSocket } from 'ws';
import { startFakeBackend } from '../../../test-support/fake-openai-backend.ts';
import { spawnRelay } from '../test/spawn-relay.ts';

const RESPONSES = Number(process.env.BENCH_CASCADE_RESPONSES ?? 400);
const TOKENS = 40;
const WARMUP = 30;
/** Turns per connection: a conversation of a realistic length, then a fresh one. */
const TURNS = 10;

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

interface Timing {
  readonly first: number[];
  readonly last: number[];
}

/**
 * Runs `RESPONSES` responses one after another, `TURNS` to a connection; `isFirst` and
 * `isLast` say which frames are the first token's and the end's.
 */
async function measure(
  url: string,
  backend: Awaited<ReturnType<typeof startFakeBackend>>,
  send: (ws: WebSocket, turn: number) => void,
  isFirst: (text: string) => boolean,
  isLast: (text: string) => boolean,
): Promise<Timing> {
  const open = async () => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return socket;
  };
  let ws = await open();
  const timing: Timing = { first: [], last: [] };
  for (let turn = 0; turn < RESPONSES + WARMUP; turn++) {
    if (turn > 0 && turn % TURNS === 0) {
      ws.close();
      ws = await open();
    }
    const times = await new Promise<{ first: number; last: number }>((resolve) => {
      let first: number | undefined;
      const onMessage = (data: RawData) => {
        const now = performance.now();
        const text = data.toString();
        if (first === undefined && isFirst(text)) first = now;
        if (isLast(text)) {
          ws.off('message', onMessage);
          resolve({ first: first ?? now, last: now });
        }
      };
      ws.on('message', onMessage);
      send(ws, turn % TURNS);
    });
    const written = backend.tokenTimes.at(-1);
    if (turn < WARMUP || written?.first === undefined || written.last === undefined) continue;
    timing.first.push(times.first - written.first);
    timing.last.push(times.last - written.last);
  }
  ws.close();
  return timing;
}

async function startFloor(backendUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./cascade-floor.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, BACKEND_URL: backendUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
  });
  return { url, child };
}

const tokens = Array.from({ length: TOKENS }, (_, i) => `word${i} `);
// Paced like a model (5 ms a token), so each write is its own chunk on the wire.
const backend = await startFakeBackend({ chat: () => ({ kind: 'stream', tokens, delayMs: 5 }) });

const relay = await spawnRelay(
  { MODEL_BASE_URL: backend.baseURL, CHAT_MODEL: 'bench', LOG_LEVEL: 'warn' },
  { built: true },
);
const floor = await startFloor(backend.baseURL);
try {
  const userText = JSON.stringify({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'go' }] },
  });
  const viaRelay = await measure(
    `${relay.url.replace(/^http/, 'ws')}/v1/realtime?model=gpt-realtime`,
    backend,
    (ws, turn) => {
      if (turn === 0) {
        ws.send(
          JSON.stringify({
            type: 'session.update',
            session: { type: 'realtime', output_modalities: ['text'] },
          }),
        );
      }
      ws.send(userText);
      ws.send('{"type":"response.create"}');
    },
    (text) => text.includes('"type":"response.output_text.delta"'),
    (text) => text.includes('"type":"response.done"'),
  );
  const viaFloor = await measure(
    floor.url,
    backend,
    (ws) => ws.send('go'),
    (text) => text.includes('"content":"word0 "'),
    (text) => text.includes('[DONE]'),
  );
  const row = (name: string, relayed: number[], direct: number[]) => {
    const cells = [0.5, 0.95, 0.99].map((q) => {
      const r = quantile(relayed, q);
      const f = quantile(direct, q);
      return `p${q * 100} ${r.toFixed(3)} ms (floor ${f.toFixed(3)}, added ${(r - f).toFixed(3)})`;
    });
    console.log(`${name.padEnd(24)} ${cells.join('  ')}`);
  };
  console.log(
    `cascade: ${RESPONSES} text responses of ${TOKENS} tokens, ${TURNS} to a connection, relay in its own process`,
  );
  row('first token → delta', viaRelay.first, viaFloor.first);
  row('last token → done', viaRelay.last, viaFloor.last);
  const added99 = quantile(viaRelay.first, 0.99) - quantile(viaFloor.first, 0.99);
  const addedDone99 = quantile(viaRelay.last, 0.99) - quantile(viaFloor.last, 0.99);
  console.log(
    `goal: p99 added ≤ 1 ms: first token ${added99.toFixed(3)} ms, done ${addedDone99.toFixed(3)} ms`,
  );
} finally {
  relay.child.kill('SIGTERM');
  floor.child.kill('SIGTERM');
  await relay.exited;
  await backend.close();
}

/**
 * `BENCH_BASE=/path/to/other/checkout pnpm bench:compare`: this checkout's built encoder
 * against another checkout's, on the payloads of `encode.bench.ts`, in interleaved rounds of
 * one process. Prints each case's time in both builds and the median of the per-round ratios
 * (this / base: under 1 is faster), so drift between rounds cancels. Build both first.
 */
import { do_not_optimize, measure } from 'mitata';
import {
  audioDelta,
  context,
  deltaEvent,
  eventId,
  pcm,
  responseDone,
  textDelta,
} from './payloads.ts';

type Serializer = typeof import('../src/index.ts');

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const base = process.env.BENCH_BASE;
if (!base) {
  console.error('BENCH_BASE must name another checkout whose serializer is built');
  process.exit(2);
}
const builds: Record<'this' | 'base', Serializer> = {
  this: await import(new URL('../dist/index.js', import.meta.url).href),
  base: await import(`${base}/packages/serializer/dist/index.js`),
};

const reused = new Uint8Array(64 * 1024);
const audio = deltaEvent('response.output_audio.delta', audioDelta);
const done = responseDone();

/** The cases, each a function of one build. */
const cases: Record<string, (serializer: Serializer) => () => unknown> = {
  outputTextDelta: (s) => {
    const encoder = s.encoderFor(context);
    return () => encoder.outputTextDelta(eventId, textDelta);
  },
  outputTextDeltaBytes: (s) => {
    const encoder = s.encoderFor(context);
    return () => encoder.outputTextDeltaBytes(eventId, textDelta);
  },
  outputAudioDeltaBytes: (s) => {
    const encoder = s.encoderFor(context);
    return () => encoder.outputAudioDeltaBytes(eventId, audioDelta);
  },
  outputAudioDeltaFromPcm: (s) => {
    const encoder = s.encoderFor(context);
    return () => encoder.outputAudioDeltaFromPcm(eventId, pcm);
  },
  'encodeServerEventInto (audio)': (s) => () => s.encodeServerEventInto(audio, reused, 0),
  'encodeServerEventBytes (response.done)': (s) => () => s.encodeServerEventBytes(done as never),
  'encodeServerEvent (response.done)': (s) => () => s.encodeServerEvent(done as never),
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const format = (ns: number) =>
  ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;

const rows = [
  `Node ${process.version}, ${ROUNDS} interleaved rounds; base: ${base}`,
  '',
  '| case | this | base | this / base |',
  '| --- | ---: | ---: | ---: |',
];
for (const [name, make] of Object.entries(cases)) {
  const fns = { this: make(builds.this), base: make(builds.base) };
  const times = { this: [] as number[], base: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which build goes first, so neither always runs on a warmer machine.
    const order = round % 2 === 0 ? (['this', 'base'] as const) : (['base', 'this'] as const);
    for (const build of order) {
      const fn = fns[build];
      const stats = await measure(() => do_not_optimize(fn()), { min_cpu_time: 40e6 });
      times[build].push(stats.p50);
    }
  }
  const ratio = median(times.this.map((ns, round) => ns / times.base[round]!));
  rows.push(
    `| ${name} | ${format(median(times.this))} | ${format(median(times.base))} | ${ratio.toFixed(3)} |`,
  );
}
console.log(rows.join('\n'));

/**
 * `pnpm bench`: CPU per streamed response through the engine against a twin that builds the
 * same events as objects (the builders' ResponseWriter, the order the engine keeps) and sends
 * `Buffer.from(JSON.stringify(event))`, with audio through a base64 string. In-process: frames
 * go to a counting sink, no socket. Each round measures the engine and the twin back to back
 * (the order alternating), and the result is the median of the per-round ratios with its
 * quartiles: the two sides of one ratio see the same machine, which is shared and noisy.
 *
 * Cases: a 10 s audio response (PCM16 24 kHz in 100 ms chunks, 4,800 bytes each) with its
 * transcript, and a long text response (2,000 deltas). "Sessions per core" is how many
 * real-time audio sessions one core could stream: 1 / (CPU seconds per audio second).
 * The engine's sink hands each frame back (`releaseFrame`) after the turn it was sent in, as a
 * host does from `ws`'s send callback; `RTWIRE_BENCH_RELEASE=0` measures it without.
 * `pnpm bench` builds the package first and measures `dist/`. Under the table, each side's
 * minor page faults and system time in the audio rounds: memory its output slabs had to fault
 * in again, one cause of the engine's slow rounds.
 */
import { ClientEvents, ResponseWriter } from '@rtwire/builders';
import type { RealtimeModel } from '../src/index.ts';

// The built package, as users run it: the engine's source loaded through tsx carries the
// transpiler's helpers (a `__name` call per closure), which cost ~5% of a short response.
const built = new URL('../dist/index.js', import.meta.url).href;
const { createRealtimeSession, releaseFrame } = (await import(
  built
)) as typeof import('../src/index.ts');

// RTWIRE_BENCH_RELEASE=0 measures the engine with frames never handed back.
const RELEASE = process.env.RTWIRE_BENCH_RELEASE !== '0';

const ROUNDS = Number(process.env.ROUNDS ?? 21);
// 50 responses a sample: long enough that each side pays for the collections its own garbage
// causes (with 20, the engine's slabs were often freed in the twin's time, flattering it).
const RESPONSES_PER_ROUND = Number(process.env.RESPONSES ?? 50);
// V8 takes about a thousand audio responses to settle a process's code and heap.
const WARM_UP_RESPONSES = Number(process.env.WARM_UP ?? 1000);
const AUDIO_CHUNKS = 100;
const CHUNK_BYTES = 4800;
const TEXT_DELTAS = 2000;

const pcm = Array.from({ length: AUDIO_CHUNKS }, (_, chunk) => {
  const bytes = new Uint8Array(CHUNK_BYTES);
  const view = new DataView(bytes.buffer);
  for (let offset = 0; offset < CHUNK_BYTES; offset += 2) {
    view.setInt16(offset, Math.round(3000 * Math.sin((chunk * CHUNK_BYTES + offset) / 40)), true);
  }
  return bytes;
});
const words = Array.from({ length: TEXT_DELTAS }, (_, index) => `word${index % 97} `);
const transcriptEvery = 2;

/** Writes a whole response synchronously: the model side costs the same on both paths. */
const audioModel: RealtimeModel = {
  respond(_request, output) {
    for (let chunk = 0; chunk < AUDIO_CHUNKS; chunk++) {
      if (chunk % transcriptEvery === 0) output.text(words[chunk] as string);
      output.audio(pcm[chunk] as Uint8Array);
    }
  },
};
const textModel: RealtimeModel = {
  respond(_request, output) {
    for (const word of words) output.text(word);
  },
};

const DONE = new TextEncoder().encode('{"type":"response.done"');
function isDone(frame: Uint8Array): boolean {
  if (frame.length < DONE.length) return false;
  for (let index = 0; index < DONE.length; index++) if (frame[index] !== DONE[index]) return false;
  return true;
}

let sinkBytes = 0;

/**
 * The engine's frames waiting to be handed back. A host hands a frame back from `ws`'s send
 * callback, once the socket has written it: here the sink "writes" each frame at once and
 * hands them back after the turn (a microtask), so a whole synchronous response is out first.
 */
const written: Uint8Array[] = [];
function handBackWritten(): void {
  for (const frame of written) releaseFrame(frame);
  written.length = 0;
}

/** Runs `count` responses on one engine session; resolves when the last one is done. */
async function engineResponses(model: RealtimeModel, modality: 'audio' | 'text', count: number) {
  let done = 0;
  let wake: () => void = () => {};
  const session = createRealtimeSession({
    model,
    send: (frame) => {
      sinkBytes += frame.length;
      if (RELEASE && written.push(frame) === 1) queueMicrotask(handBackWritten);
      if (isDone(frame)) {
        done++;
        wake();
      }
    },
  });
  await Promise.resolve();
  session.receive(
    JSON.stringify(
      ClientEvents.sessionUpdate(undefined, { type: 'realtime', output_modalities: [modality] }),
    ),
  );
  const create = JSON.stringify(ClientEvents.responseCreate());
  for (let index = 0; index < count; index++) {
    const finished = new Promise<void>((resolve) => {
      wake = resolve;
    });
    session.receive(create);
    await finished;
  }
  session.close();
  return done;
}

/**
 * The same responses built as objects and sent as `Buffer.from(JSON.stringify(event))`, with
 * what the engine does around the encoding done the plain way too: the client's frame read
 * with `JSON.parse`, the finished items kept as the conversation.
 */
async function twinResponses(modality: 'audio' | 'text', count: number) {
  const send = (frame: Uint8Array) => {
    sinkBytes += frame.length;
    isDone(frame);
  };
  const conversation: unknown[] = [];
  const create = JSON.stringify(ClientEvents.responseCreate());
  for (let index = 0; index < count; index++) {
    const request = JSON.parse(create) as { type: string };
    if (request.type !== 'response.create') throw new Error('twin: unexpected client event');
    const writer = new ResponseWriter({
      responseId: `resp_${index}`,
      emit: (event) => {
        if (event.type === 'conversation.item.done') conversation.push(event.item);
        send(Buffer.from(JSON.stringify(event)));
      },
      conversationId: 'conv_1',
      outputModalities: [modality],
    });
    writer.start();
    const message = writer.message({ itemId: `item_${index}`, modality });
    if (modality === 'audio') {
      for (let chunk = 0; chunk < AUDIO_CHUNKS; chunk++) {
        if (chunk % transcriptEvery === 0) message.transcript(words[chunk] as string);
        message.audio(Buffer.from(pcm[chunk] as Uint8Array).toString('base64'));
      }
    } else {
      for (const word of words) message.text(word);
    }
    message.done();
    writer.done({ usage: null });
    await Promise.resolve();
  }
}

/** What a run cost: CPU µs (user plus system), of them system, and minor page faults. */
async function costOf(run: () => Promise<unknown>): Promise<Cost> {
  const before = process.resourceUsage();
  await run();
  const after = process.resourceUsage();
  const system = after.systemCPUTime - before.systemCPUTime;
  return {
    cpu: after.userCPUTime - before.userCPUTime + system,
    system,
    faults: after.minorPageFault - before.minorPageFault,
  };
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number;
};
const median = (values: readonly number[]) => quantile(values, 0.5);

type Modality = 'audio' | 'text';
type Side = 'engine' | 'twin';
interface Cost {
  readonly cpu: number;
  readonly system: number;
  /**
   * Memory the process had to get from the kernel again. The engine's output slabs are freed
   * in bulk after a collection; when the allocator hands them back to the kernel, the next
   * ones fault in. Standalone, a 50-response round with 3,000-4,300 faults cost the engine
   * 100-127 µs a streamed second, and one with under 150 faults 24-40 µs.
   */
  readonly faults: number;
}
interface Sample extends Cost {
  readonly bytes: number;
}

/** One sample of `count` responses on this process's side, in this process's CPU time. */
function measure(side: Side, modality: Modality, count: number): Promise<Cost> {
  const model = modality === 'audio' ? audioModel : textModel;
  return costOf(() =>
    side === 'engine' ? engineResponses(model, modality, count) : twinResponses(modality, count),
  );
}

// Each side runs in a process of its own, so each pays for exactly its own garbage: in one
// process, a collection one side's slabs or strings caused landed in the other's sample.
const SIDE = process.env.RTWIRE_BENCH_SIDE as Side | undefined;
if (SIDE !== undefined) {
  process.on('message', (request: { modality: Modality; count: number }) => {
    void measure(SIDE, request.modality, request.count).then((cost) =>
      process.send?.({ ...cost, bytes: sinkBytes } satisfies Sample),
    );
  });
} else {
  const { fork } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const spawnSide = (side: Side) =>
    fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, RTWIRE_BENCH_SIDE: side },
    });
  const sides = { engine: spawnSide('engine'), twin: spawnSide('twin') };
  const lastBytes = { engine: 0, twin: 0 };
  /** The audio samples' system time and page faults, per side, for the report. */
  const audioCosts = { engine: [] as Cost[], twin: [] as Cost[] };
  const ask = (side: Side, modality: Modality, count: number) =>
    new Promise<number>((resolve) => {
      sides[side].once('message', (sample: Sample) => {
        lastBytes[side] = sample.bytes;
        if (modality === 'audio') audioCosts[side].push(sample);
        resolve(sample.cpu);
      });
      sides[side].send({ modality, count });
    });

  const samples = {
    engineAudio: [] as number[],
    twinAudio: [] as number[],
    engineText: [] as number[],
    twinText: [] as number[],
  };
  // Warm-up: both paths compiled before anything is counted.
  for (const side of ['engine', 'twin'] as const) {
    await ask(side, 'audio', WARM_UP_RESPONSES);
    await ask(side, 'text', WARM_UP_RESPONSES / 10);
  }
  audioCosts.engine.length = 0;
  audioCosts.twin.length = 0;
  // Each round measures both sides back to back (only one process works at a time), in
  // alternating order, and yields one ratio: a neighbour's burst on this shared VM slows a
  // round's pair together.
  for (let round = 0; round < ROUNDS; round++) {
    for (const modality of ['audio', 'text'] as const) {
      const engineSamples = modality === 'audio' ? samples.engineAudio : samples.engineText;
      const twinSamples = modality === 'audio' ? samples.twinAudio : samples.twinText;
      if (round % 2 === 0) {
        engineSamples.push(await ask('engine', modality, RESPONSES_PER_ROUND));
        twinSamples.push(await ask('twin', modality, RESPONSES_PER_ROUND));
      } else {
        twinSamples.push(await ask('twin', modality, RESPONSES_PER_ROUND));
        engineSamples.push(await ask('engine', modality, RESPONSES_PER_ROUND));
      }
    }
  }
  sides.engine.kill();
  sides.twin.kill();
  report(samples, audioCosts, lastBytes.engine + lastBytes.twin);
}

function report(
  samples: Record<'engineAudio' | 'twinAudio' | 'engineText' | 'twinText', number[]>,
  audioCosts: Record<Side, readonly Cost[]>,
  bytes: number,
): void {
  const audioSeconds = (AUDIO_CHUNKS * 100) / 1000;
  const perAudioSecond = (micros: number) => micros / RESPONSES_PER_ROUND / audioSeconds;
  const engineAudio = perAudioSecond(median(samples.engineAudio));
  const twinAudio = perAudioSecond(median(samples.twinAudio));
  const engineText = median(samples.engineText) / RESPONSES_PER_ROUND;
  const twinText = median(samples.twinText) / RESPONSES_PER_ROUND;
  const ratios = (twin: readonly number[], engine: readonly number[]) =>
    twin.map((spent, round) => spent / (engine[round] as number));
  const audioRatios = ratios(samples.twinAudio, samples.engineAudio);
  const textRatios = ratios(samples.twinText, samples.engineText);
  const audioRatio = median(audioRatios);
  const textRatio = median(textRatios);
  const spread = (values: readonly number[]) =>
    `${median(values).toFixed(2)}× (${quantile(values, 0.25).toFixed(2)}–${quantile(values, 0.75).toFixed(2)})`;
  const sessionsPerCore = 1_000_000 / engineAudio;

  const rows = [
    [
      'audio, CPU per streamed second',
      `${engineAudio.toFixed(1)} µs`,
      `${twinAudio.toFixed(1)} µs`,
      spread(audioRatios),
      '≥ 5×',
      audioRatio >= 5,
    ],
    [
      'text (2,000 deltas), CPU per response',
      `${(engineText / 1000).toFixed(2)} ms`,
      `${(twinText / 1000).toFixed(2)} ms`,
      spread(textRatios),
      '≥ 3×',
      textRatio >= 3,
    ],
    [
      'real-time audio sessions per core',
      `${Math.floor(sessionsPerCore)}`,
      `${Math.floor(1_000_000 / twinAudio)}`,
      '',
      '≥ 2,000',
      sessionsPerCore >= 2000,
    ],
  ] as const;
  console.log(
    `engine bench: ${ROUNDS} paired rounds of ${RESPONSES_PER_ROUND} responses; CPU medians, and the median of each round's ratio with its quartiles (Node ${process.version})`,
  );
  console.log('| case | engine | JSON.stringify twin | twin / engine (quartiles) | goal | met |');
  console.log('| --- | ---: | ---: | ---: | --- | --- |');
  for (const [name, engine, twin, ratio, goal, met] of rows) {
    console.log(`| ${name} | ${engine} | ${twin} | ${ratio} | ${goal} | ${met ? '✓' : '✗'} |`);
  }
  const memory = (side: Side) => {
    const faults = audioCosts[side].map((cost) => cost.faults / RESPONSES_PER_ROUND);
    const system = audioCosts[side].map((cost) => perAudioSecond(cost.system));
    return `${side} ${median(faults).toFixed(0)} (${Math.min(...faults).toFixed(0)}–${Math.max(...faults).toFixed(0)}) faults a response, ${median(system).toFixed(1)} µs of system time a streamed second`;
  };
  console.log(`audio rounds, medians (ranges): ${memory('engine')}; ${memory('twin')}`);
  console.log(`(${(bytes / 1024 / 1024).toFixed(0)} MiB of frames encoded in all)`);
}

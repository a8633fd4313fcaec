import { readFileSync } from 'node:fs';
import { encoderFor } from '../src/index.ts';
import { context, eventId, audioDelta } from './payloads.ts';
const enc = encoderFor(context as any) as any;
function faults() { const f = readFileSync('/proc/self/stat', 'utf8').split(' '); return Number(f[9]); }
let sink = 0;
for (let round = 0; round < 5; round++) {
  const N = 200000;
  const f0 = faults(); const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += enc.outputAudioDeltaBytes(eventId, audioDelta).length;
  const t1 = process.hrtime.bigint(); const f1 = faults();
  console.log('ns/frame', Number(t1 - t0) / N, 'faults/frame', (f1 - f0) / N);
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeVoicedBuzz } from './fixtures/voiced-buzz.mjs';

/**
 * A microphone's worth of WAV for Chromium's fake capture device, which loops it: `speechMs` of
 * a voiced sound (a 220 Hz buzz with harmonics, swelling and fading), then `silenceMs` of quiet.
 */
export function speechWav(speechMs: number, silenceMs: number): string {
  const rate = 48_000;
  const speech = Math.round((speechMs * rate) / 1000);
  const total = speech + Math.round((silenceMs * rate) / 1000);
  const wav = Buffer.alloc(44 + total * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + total * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(total * 2, 40);
  writeVoicedBuzz(wav, 44, speech, rate, 12_000);
  const path = join(mkdtempSync(join(tmpdir(), 'rtwire-mic-')), 'speech.wav');
  writeFileSync(path, wav);
  return path;
}

/** Chromium's flags for a microphone that plays `wav` in a loop, granted without a prompt. */
export const fakeMicrophone = (wav: string) => [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  `--use-file-for-fake-audio-capture=${wav}`,
];

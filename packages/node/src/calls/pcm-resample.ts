/**
 * Turns the PCM16 a WebRTC track delivers (libwebrtc's 10 ms frames, usually 48 kHz, mono or
 * interleaved stereo) into the session's PCM16 24 kHz mono, chunk after chunk. It keeps the
 * state a chunk's edge needs (the sample before it, the fractional position), so a stream cut
 * in any chunks comes out as one.
 *
 * 48 kHz is halved through a [1, 2, 1] / 4 low-pass, which takes out what would fold back
 * from above 12 kHz most at the top of the band, where speech has little; any other rate is
 * interpolated linearly.
 *
 * @example
 * ```ts
 * const toSession = new Pcm16To24k();
 * sink.ondata = ({ samples, sampleRate, channelCount }) =>
 *   handlers.audio(toSession.push(samples, sampleRate, channelCount ?? 1));
 * ```
 */
export class Pcm16To24k {
  /** The last input sample of the previous chunk (mono). */
  #previous = 0;
  /** For 48 kHz: the input before the waiting centre, and the centre waiting for its next. */
  #before = 0;
  #centre: number | undefined;
  /** For other rates: where the next output falls after `#previous`, in input samples × 24,000. */
  #position = 0;
  #rate = 0;

  /** Converts one chunk; returns its 24 kHz mono PCM16 (little-endian bytes). */
  push(samples: Int16Array, sampleRate: number, channels: number): Uint8Array {
    if (!(sampleRate >= 8000 && sampleRate <= 192_000) || !(channels >= 1 && channels <= 8)) {
      return new Uint8Array(0);
    }
    if (sampleRate !== this.#rate) {
      this.#rate = sampleRate;
      this.#centre = undefined;
      this.#position = 0;
    }
    const mono = mixDown(samples, Math.floor(channels));
    const out =
      sampleRate === 24_000
        ? mono
        : sampleRate === 48_000
          ? this.#halve(mono)
          : this.#interpolate(mono, sampleRate);
    if (mono.length > 0) this.#previous = mono[mono.length - 1] as number;
    return toBytes(out);
  }

  #halve(input: Int16Array): Int16Array {
    // Output n is centred on input 2n: (x[2n-1] + 2 x[2n] + x[2n+1]) / 4, made once x[2n+1]
    // has come, so a centre at a chunk's end waits for the next chunk.
    const out = new Int16Array((input.length >> 1) + 1);
    let written = 0;
    for (let index = 0; index < input.length; index++) {
      const sample = input[index] as number;
      if (this.#centre === undefined) {
        this.#centre = sample;
      } else {
        out[written++] = (this.#before + 2 * this.#centre + sample) >> 2;
        this.#before = sample;
        this.#centre = undefined;
      }
    }
    return out.subarray(0, written);
  }

  #interpolate(input: Int16Array, sampleRate: number): Int16Array {
    // Positions in input samples times 24,000, so they stay exact integers however the
    // stream is cut: 0 is `#previous`, input[i] is at (i + 1) × 24,000.
    const out = new Int16Array(Math.ceil(((input.length + 1) * 24_000) / sampleRate) + 1);
    const end = input.length * 24_000;
    let written = 0;
    let position = this.#position;
    for (; position <= end; position += sampleRate) {
      const whole = Math.floor(position / 24_000);
      const fraction = (position - whole * 24_000) / 24_000;
      const left = whole === 0 ? this.#previous : (input[whole - 1] as number);
      if (fraction === 0) {
        out[written++] = left;
        continue;
      }
      // The right neighbour is the next chunk's first sample: this output waits for it.
      if (whole === input.length) break;
      out[written++] = Math.round(left + ((input[whole] as number) - left) * fraction);
    }
    this.#position = position - end;
    return out.subarray(0, written);
  }
}

function mixDown(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const frames = Math.floor(samples.length / channels);
  const mono = new Int16Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++) {
      sum += samples[frame * channels + channel] as number;
    }
    mono[frame] = Math.round(sum / channels);
  }
  return mono;
}

function toBytes(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < samples.length; index++) {
    view.setInt16(index * 2, samples[index] as number, true);
  }
  return bytes;
}

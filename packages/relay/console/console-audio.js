// AudioWorklet processors of the console, loaded with audioWorklet.addModule('/console-audio.js').

/**
 * The microphone: resamples the input (the context's rate, 48 kHz on most machines) to 24 kHz
 * by linear interpolation, carried across render quanta, and posts PCM16 chunks of 100 ms with
 * their peak level. Nothing is posted while `capturing` is false (push to talk, released).
 */
class MicCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / 24000;
    this.position = 0;
    this.previous = 0;
    this.chunk = new Int16Array(2400);
    this.filled = 0;
    this.peak = 0;
    this.capturing = true;
    this.port.onmessage = ({ data }) => {
      if (data.type === 'capture') this.capturing = data.on;
      if (data.type === 'flush') this.flush();
    };
  }

  process(inputs) {
    const input = inputs[0]?.[0];
    if (!input || !this.capturing) return true;
    // `position` is where the next output sample falls, in input samples from the previous
    // quantum's last one (index -1 is `previous`).
    while (this.position < input.length - 1) {
      const index = Math.floor(this.position);
      const before = index < 0 ? this.previous : input[index];
      const after = input[index + 1];
      const value = before + (after - before) * (this.position - index);
      const clamped = Math.max(-1, Math.min(1, value));
      this.chunk[this.filled++] = clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff;
      this.peak = Math.max(this.peak, Math.abs(clamped));
      if (this.filled === this.chunk.length) this.flush();
      this.position += this.step;
    }
    this.position -= input.length;
    this.previous = input[input.length - 1];
    return true;
  }

  flush() {
    if (this.filled === 0) return;
    const pcm = this.chunk.slice(0, this.filled);
    this.port.postMessage({ type: 'audio', pcm: pcm.buffer, peak: this.peak }, [pcm.buffer]);
    this.filled = 0;
    this.peak = 0;
  }
}

/**
 * The speaker: plays queued PCM (float, 24 kHz: the context runs at 24 kHz) with no gap between
 * chunks. It starts (and, after running dry, restarts) once 150 ms are queued or the reply has
 * ended, so audio that arrives at playback speed does not stutter. It counts what it actually
 * played of each item, so an interruption can report `audio_end_ms` as heard: `clear` drops
 * what is queued and answers with that count and how much it dropped.
 */
class PcmPlayer extends AudioWorkletProcessor {
  constructor() {
    super();
    this.queue = [];
    this.offset = 0;
    this.queued = 0;
    this.started = false;
    this.ending = false;
    this.itemId = null;
    this.itemPlayed = 0;
    this.total = 0;
    this.lastReport = 0;
    this.port.onmessage = ({ data }) => {
      if (data.type === 'chunk') {
        const samples = new Float32Array(data.samples);
        this.queue.push({ itemId: data.itemId, samples });
        this.queued += samples.length;
        this.ending = false;
      }
      if (data.type === 'end') this.ending = true;
      if (data.type === 'clear') {
        const dropped = this.queued;
        this.queue = [];
        this.offset = 0;
        this.queued = 0;
        this.started = false;
        this.port.postMessage({
          type: 'cleared',
          itemId: this.itemId,
          played: this.itemPlayed,
          dropped,
          total: this.total,
        });
      }
    };
  }

  process(_inputs, outputs) {
    const output = outputs[0][0];
    if (!this.started && (this.queued >= 3600 || (this.ending && this.queued > 0)))
      this.started = true;
    let written = 0;
    while (this.started && written < output.length && this.queue.length > 0) {
      const head = this.queue[0];
      if (head.itemId !== this.itemId) {
        this.itemId = head.itemId;
        this.itemPlayed = 0;
      }
      const count = Math.min(output.length - written, head.samples.length - this.offset);
      output.set(head.samples.subarray(this.offset, this.offset + count), written);
      written += count;
      this.offset += count;
      this.queued -= count;
      this.total += count;
      this.itemPlayed += count;
      if (this.offset === head.samples.length) {
        this.queue.shift();
        this.offset = 0;
      }
    }
    if (this.started && this.queue.length === 0) {
      // Ran dry: wait for the next 150 ms (or the end) before playing again.
      this.started = false;
      this.port.postMessage({ type: 'drained', total: this.total });
    }
    for (let i = 1; i < outputs[0].length; i++) outputs[0][i].set(output);
    if (this.total - this.lastReport >= 2400) {
      this.lastReport = this.total;
      this.port.postMessage({ type: 'played', total: this.total });
    }
    return true;
  }
}

registerProcessor('mic-capture', MicCapture);
registerProcessor('pcm-player', PcmPlayer);

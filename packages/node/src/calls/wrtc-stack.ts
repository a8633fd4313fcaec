import { hasCandidates, keepCandidatesOn } from './answer-candidates.ts';
import { UnanswerableOfferError, type WebRtcStack } from './call-server.ts';
import type { CallTransport, CallTransportHandlers } from './call-socket.ts';
import { Pcm16To24k } from './pcm-resample.ts';

/** Options of {@link createWrtcStack}. */
export interface WrtcStackOptions {
  /** UDP ports calls may use (`CALL_PORTS`); default 40000-49999. */
  readonly portRange?: { readonly min: number; readonly max: number };
  /**
   * The address of this machine the answer offers (`CALL_ADDRESS`): its UDP host candidate
   * only. Absent: every interface's. libwebrtc still opens its sockets on every interface;
   * the browser is told of this one alone.
   */
  readonly address?: string;
  /**
   * How long a connected peer may send nothing at all (no media, no answer to the ICE checks
   * libwebrtc sends every 2.5 s, no check of its own) before its call ends, in ms (default
   * 5000). A closed Chromium tab sends no goodbye (its data channel does not close), and
   * libwebrtc itself calls such a peer `disconnected` only after about 7.5 s of silence.
   */
  readonly vanishedAfterMs?: number;
  /** How long a call may take to connect after its answer, in ms (default 15000). */
  readonly connectTimeoutMs?: number;
}

// The few parts of @roamhq/wrtc the stack uses, typed here: its own types lean on the DOM lib,
// which a Node package does not load.
interface DataChannel {
  readonly label: string;
  readonly readyState: string;
  readonly bufferedAmount: number;
  onopen: (() => void) | null;
  onclose: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(): void;
}
interface Track {
  readonly kind: string;
  stop(): void;
}
interface Transceiver {
  direction: string;
  readonly receiver: { readonly track: Track };
  readonly sender: { replaceTrack(track: Track): Promise<void> };
}
/** The counters of a stats entry the liveness check reads (transport and candidate pair). */
interface StatsEntry {
  readonly type: string;
  readonly bytesReceived?: number;
  readonly requestsReceived?: number;
  readonly responsesReceived?: number;
}
interface PeerConnection {
  readonly connectionState: string;
  getStats(): Promise<{ forEach(each: (entry: StatsEntry) => void): void }>;
  readonly iceGatheringState: string;
  readonly localDescription: { readonly sdp: string } | null;
  onconnectionstatechange: (() => void) | null;
  onicegatheringstatechange: (() => void) | null;
  onicecandidate: (() => void) | null;
  ondatachannel: ((event: { channel: DataChannel }) => void) | null;
  setRemoteDescription(description: { type: 'offer'; sdp: string }): Promise<void>;
  createAnswer(): Promise<{ type: 'answer'; sdp: string }>;
  setLocalDescription(description: { type: 'answer'; sdp: string }): Promise<void>;
  getTransceivers(): Transceiver[];
  addTrack(track: Track, stream: object): unknown;
  close(): void;
}
interface AudioData {
  readonly samples: Int16Array;
  readonly sampleRate: number;
  readonly channelCount?: number;
  readonly numberOfFrames?: number;
  readonly bitsPerSample?: number;
}
interface Wrtc {
  readonly RTCPeerConnection: new (configuration: object) => PeerConnection;
  readonly MediaStream: new (tracks: Track[]) => object;
  readonly nonstandard: {
    readonly RTCAudioSource: new () => { createTrack(): Track; onData(data: AudioData): void };
    readonly RTCAudioSink: new (
      track: Track,
    ) => { ondata: ((data: AudioData) => void) | null; stop(): void };
  };
}

/** Samples in the 10 ms frames libwebrtc's audio source takes at 24 kHz. */
const SAMPLES_PER_10MS = 240;

/**
 * A {@link WebRtcStack} on `@roamhq/wrtc` (libwebrtc, the browser's own WebRTC, from prebuilt
 * npm packages): the answer carries host candidates on the configured port range, the track
 * carries PCM16 24 kHz each way (libwebrtc does Opus, jitter buffer and loss concealment), and
 * a call ends when its data channel closes, its connection fails, or it stays disconnected for
 * `vanishedAfterMs`. `@roamhq/wrtc` is an optional peer dependency: install it to serve calls.
 *
 * @example
 * ```ts
 * const relay = mountRelay(server, { ...loaded, calls: await createWrtcStack() });
 * ```
 */
export async function createWrtcStack(options: WrtcStackOptions = {}): Promise<WebRtcStack> {
  let wrtc: Wrtc;
  try {
    const loaded = (await import('@roamhq/wrtc')) as unknown as { default?: Wrtc } & Wrtc;
    wrtc = loaded.default ?? loaded;
  } catch {
    throw new Error(
      'createWrtcStack: @roamhq/wrtc is not installed; add it (npm i @roamhq/wrtc) to serve WebRTC calls',
    );
  }
  const portRange = options.portRange ?? { min: 40_000, max: 49_999 };
  const timing = {
    vanishedAfterMs: options.vanishedAfterMs ?? 5_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
  };
  const open = new Set<PeerConnection>();
  return {
    async answer(offer) {
      const pc = new wrtc.RTCPeerConnection({ iceServers: [], portRange });
      open.add(pc);
      try {
        try {
          await pc.setRemoteDescription({ type: 'offer', sdp: offer });
        } catch {
          throw new UnanswerableOfferError('libwebrtc could not read the offer');
        }
        const transceiver = pc.getTransceivers().find((t) => t.receiver.track.kind === 'audio');
        if (transceiver === undefined) throw new UnanswerableOfferError('the offer has no audio');
        const source = new wrtc.nonstandard.RTCAudioSource();
        const track = source.createTrack();
        // Added with a stream, so the answer names one (`a=msid:<stream> <track>`): browsers then
        // give the track in `event.streams[0]`, which SDKs play (agents-realtime sets it as its
        // audio element's source; with no stream it played nothing). libwebrtc puts it on the
        // offer's audio transceiver, now sending and receiving.
        pc.addTrack(track, new wrtc.MediaStream([track]));
        transceiver.direction = 'sendrecv';
        const sink = new wrtc.nonstandard.RTCAudioSink(transceiver.receiver.track);
        await pc.setLocalDescription(await pc.createAnswer());
        await gathered(pc, options.address);
        const gatheredSdp = pc.localDescription?.sdp;
        if (gatheredSdp === undefined) throw new Error('no answer');
        const sdp = keepCandidatesOn(gatheredSdp, options.address);
        if (!hasCandidates(sdp)) {
          throw new Error(
            `createWrtcStack: no UDP candidate on ${options.address ?? 'any address'}`,
          );
        }
        const transport = new WrtcTransport(pc, source, sink, track, timing, () => open.delete(pc));
        return { sdp, transport };
      } catch (error) {
        open.delete(pc);
        pc.close();
        throw error;
      }
    },
    async close() {
      for (const pc of open) pc.close();
      open.clear();
    },
  };
}

/** Longest the answer waits for its candidate; then it goes with what was gathered, or fails. */
const GATHER_TIMEOUT_MS = 3_000;

/**
 * The answer carries its candidates (the browser posts an offer and waits for no trickle): it
 * is ready once the UDP host candidate on the call address is gathered, or, without an address,
 * once gathering is complete (libwebrtc completes only after its TCP phase, about 100 ms on,
 * whose candidates the answer drops anyway).
 */
function gathered(pc: PeerConnection, address: string | undefined): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      pc.onicecandidate = null;
      pc.onicegatheringstatechange = null;
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') finish();
      else if (
        address !== undefined &&
        hasCandidates(keepCandidatesOn(pc.localDescription?.sdp ?? '', address))
      ) {
        finish();
      }
    };
    const timer = setTimeout(finish, GATHER_TIMEOUT_MS);
    pc.onicecandidate = check;
    pc.onicegatheringstatechange = check;
    check();
  });
}

/** How long a read of the channel's `bufferedAmount` is reused: each read crosses to libwebrtc's signalling thread (~15 µs of CPU), and the relay reads it several times a frame. */
const BUFFERED_AMOUNT_TTL_MS = 20;

class WrtcTransport implements CallTransport {
  #channel: DataChannel | undefined;
  #handlers: CallTransportHandlers | undefined;
  #closed = false;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #liveness: ReturnType<typeof setInterval> | undefined;
  /** Whether the channel is open, as its events said (reading `readyState` costs a thread hop). */
  #channelOpen = false;
  #buffered = { amount: 0, at: Number.NEGATIVE_INFINITY };
  /** What the peer had sent when last checked, and when that last changed. */
  #heard = { total: -1, at: 0 };
  readonly #toSession = new Pcm16To24k();

  constructor(
    private readonly pc: PeerConnection,
    private readonly source: { onData(data: AudioData): void },
    private readonly sink: { ondata: ((data: AudioData) => void) | null; stop(): void },
    private readonly track: Track,
    private readonly timing: {
      readonly vanishedAfterMs: number;
      readonly connectTimeoutMs: number;
    },
    private readonly forget: () => void,
  ) {}

  get eventBufferedAmount(): number {
    const channel = this.#channel;
    if (channel === undefined || !this.#channelOpen) return 0;
    const now = performance.now();
    if (now - this.#buffered.at >= BUFFERED_AMOUNT_TTL_MS) {
      this.#buffered = { amount: channel.bufferedAmount, at: now };
    }
    return this.#buffered.amount;
  }

  listen(handlers: CallTransportHandlers): void {
    this.#handlers = handlers;
    const { pc } = this;
    pc.ondatachannel = ({ channel }) => {
      if (channel.label !== 'oai-events' || this.#channel !== undefined) return;
      this.#channel = channel;
      channel.onmessage = ({ data }) => {
        if (typeof data === 'string') handlers.event(data);
      };
      channel.onclose = () => {
        this.#channelOpen = false;
        this.#gone('peer left');
      };
      const opened = () => {
        this.#channelOpen = true;
        handlers.open();
      };
      if (channel.readyState === 'open') opened();
      else channel.onopen = opened;
    };
    // A peer that never connects holds a session slot and ports: it gets a bound too.
    this.#connectTimer = setTimeout(
      () => this.#gone('peer never connected'),
      this.timing.connectTimeoutMs,
    );
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      if (state === 'failed' || state === 'closed') {
        this.#gone(`peer connection ${state}`);
      } else if (state === 'connected' && this.#liveness === undefined) {
        clearTimeout(this.#connectTimer);
        this.#watchLiveness();
      }
    };
    this.sink.ondata = (data) => {
      if (this.#closed) return;
      const pcm = this.#toSession.push(data.samples, data.sampleRate, data.channelCount ?? 1);
      if (pcm.length > 0) handlers.audio(pcm);
    };
  }

  sendEvent(text: string): void {
    if (!this.#channelOpen) return;
    this.#channel?.send(text);
    // What was just queued counts at once, whatever the last read said.
    this.#buffered = { amount: this.#buffered.amount + text.length, at: this.#buffered.at };
  }

  sendAudio(pcm: Uint8Array): void {
    if (this.#closed) return;
    // libwebrtc's source takes exactly 10 ms a call; a 20 ms frame goes as two.
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
    for (let offset = 0; offset + SAMPLES_PER_10MS <= samples.length; offset += SAMPLES_PER_10MS) {
      this.source.onData({
        samples: samples.slice(offset, offset + SAMPLES_PER_10MS),
        sampleRate: 24_000,
        bitsPerSample: 16,
        channelCount: 1,
        numberOfFrames: SAMPLES_PER_10MS,
      });
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#connectTimer);
    clearInterval(this.#liveness);
    this.sink.ondata = null;
    this.sink.stop();
    this.track.stop();
    this.#channel?.close();
    this.pc.close();
    this.forget();
  }

  /**
   * Ends the call once the peer has sent nothing for `vanishedAfterMs`: the bytes received
   * (media, data channel) and the ICE checks and answers received, summed, stop changing.
   * The audio sink is no sign of life: libwebrtc's jitter buffer plays out made-up audio for a
   * peer that sends nothing.
   */
  #watchLiveness(): void {
    const every = Math.max(100, Math.min(1_000, this.timing.vanishedAfterMs / 4));
    this.#heard = { total: -1, at: performance.now() };
    this.#liveness = setInterval(() => {
      this.pc
        .getStats()
        .then((report) => {
          if (this.#closed) return;
          let total = 0;
          report.forEach((entry) => {
            if (entry.type === 'transport') total += entry.bytesReceived ?? 0;
            if (entry.type === 'candidate-pair') {
              total += (entry.requestsReceived ?? 0) + (entry.responsesReceived ?? 0);
            }
          });
          const now = performance.now();
          if (total !== this.#heard.total) this.#heard = { total, at: now };
          else if (now - this.#heard.at >= this.timing.vanishedAfterMs) this.#gone('peer vanished');
        })
        .catch(() => this.#gone('peer connection closed'));
    }, every);
  }

  #gone(reason: string): void {
    if (this.#closed) return;
    this.#handlers?.gone(reason);
    this.close();
  }
}

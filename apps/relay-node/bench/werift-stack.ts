/**
 * A bench-only {@link WebRtcStack} on werift (WebRTC in TypeScript: ICE, DTLS, SCTP and SRTP
 * in the event loop) with opusscript (libopus in WebAssembly) for the codec, to weigh against
 * `createWrtcStack` (libwebrtc) in bench/calls.ts. It is not a product stack: host candidates
 * on loopback only, no jitter buffer, no loss concealment, no DTX.
 *
 * The track's codec runs at the session's rate: Opus encodes and decodes 24 kHz PCM itself
 * (its RTP clock stays 48 kHz), so no resampling is done either way.
 */
import type { CallTransport, CallTransportHandlers, WebRtcStack } from '@rtwire/node';
import OpusScript from 'opusscript';
import {
  createSelfSignedCertificate,
  HashAlgorithm,
  type MediaStreamTrack,
  NamedCurveAlgorithm,
  RTCCertificate,
  type RTCDataChannel,
  RTCPeerConnection,
  type RTCRtpTransceiver,
  RtpHeader,
  RtpPacket,
  SignatureAlgorithm,
  useOPUS,
} from 'werift';

/** Options of {@link createWeriftStack}. */
export interface WeriftStackOptions {
  /** UDP ports calls may use (werift wants min < max). */
  readonly portRange?: { readonly min: number; readonly max: number };
  /** How long a peer may stay `disconnected` before its call ends, in ms (default 500). */
  readonly vanishedAfterMs?: number;
}

/** Samples of a 20 ms frame at 24 kHz: what the call socket hands `sendAudio`. */
const FRAME_SAMPLES = 480;
/** RTP clock ticks of a 20 ms Opus frame (Opus's RTP clock is 48 kHz whatever the rate). */
const FRAME_TICKS = 960;
/** A pause longer than this in the output starts a new talkspurt (marker bit, clock moved on). */
const TALKSPURT_GAP_MS = 60;
/** The opus_encoder_ctl request OPUS_SET_COMPLEXITY (set to 9, libwebrtc's choice on desktop). */
const OPUS_SET_COMPLEXITY = 4010;

export async function createWeriftStack(options: WeriftStackOptions = {}): Promise<WebRtcStack> {
  const range = options.portRange ?? { min: 40_000, max: 49_999 };
  const vanishedAfterMs = options.vanishedAfterMs ?? 500;
  // One certificate for every connection: making one is tens of milliseconds of the loop.
  const keys = await createSelfSignedCertificate(
    { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 },
    NamedCurveAlgorithm.secp256r1_23,
  );
  const certificate = new RTCCertificate(keys.keyPem, keys.certPem, keys.signatureHash);
  const open = new Set<RTCPeerConnection>();
  return {
    async answer(offer) {
      const pc = new RTCPeerConnection({
        iceServers: [],
        // Loopback only: werift leaves 127.0.0.1 out of its host candidates unless added, and
        // the VM's own interfaces are no use to a bench on loopback.
        iceUseIpv4: false,
        iceUseIpv6: false,
        iceAdditionalHostAddresses: ['127.0.0.1'],
        icePortRange: [range.min, Math.max(range.max, range.min + 1)],
        certificates: [certificate],
        codecs: { audio: [useOPUS()], video: [] },
      });
      open.add(pc);
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: offer });
        const transceiver = pc.getTransceivers().find((t) => t.kind === 'audio');
        if (transceiver === undefined) throw new Error('the offer has no audio');
        // werift answers recvonly to a sendrecv offer unless told it sends too.
        transceiver.direction = 'sendrecv';
        await pc.setLocalDescription(await pc.createAnswer());
        await gathered(pc);
        const sdp = pc.localDescription?.sdp;
        if (sdp === undefined) throw new Error('no answer');
        const transport = new WeriftTransport(pc, transceiver, vanishedAfterMs, () =>
          open.delete(pc),
        );
        return { sdp, transport };
      } catch (error) {
        open.delete(pc);
        void pc.close();
        throw error;
      }
    },
    async close() {
      await Promise.all([...open].map((pc) => pc.close()));
      open.clear();
    },
  };
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((state) => {
      if (state !== 'complete') return;
      unSubscribe();
      resolve();
    });
  });
}

class WeriftTransport implements CallTransport {
  #channel: RTCDataChannel | undefined;
  #handlers: CallTransportHandlers | undefined;
  #closed = false;
  #vanishTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #encoder = new OpusScript(24_000, 1, OpusScript.Application.VOIP);
  readonly #decoder = new OpusScript(24_000, 1, OpusScript.Application.VOIP);
  #sequence = Math.floor(Math.random() * 0xffff);
  #timestamp = Math.floor(Math.random() * 0xffffffff);
  #lastSentAt = Number.NEGATIVE_INFINITY;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly transceiver: RTCRtpTransceiver,
    private readonly vanishedAfterMs: number,
    private readonly forget: () => void,
  ) {
    this.#encoder.encoderCTL(OPUS_SET_COMPLEXITY, 9);
  }

  get eventBufferedAmount(): number {
    return this.#channel?.bufferedAmount ?? 0;
  }

  listen(handlers: CallTransportHandlers): void {
    this.#handlers = handlers;
    const { pc } = this;
    this.#unsubscribe.push(
      pc.onDataChannel.subscribe((channel) => {
        if (channel.label !== 'oai-events' || this.#channel !== undefined) return;
        this.#channel = channel;
        channel.onMessage.subscribe((data) => {
          if (typeof data === 'string') handlers.event(data);
        });
        channel.stateChanged.subscribe((state) => {
          if (state === 'open') handlers.open();
          else if (state === 'closed') this.#gone('peer left');
        });
        if (channel.readyState === 'open') handlers.open();
      }).unSubscribe,
      pc.connectionStateChange.subscribe((state) => {
        if (state === 'failed' || state === 'closed') {
          this.#gone(`peer connection ${state}`);
        } else if (state === 'disconnected') {
          this.#vanishTimer ??= setTimeout(() => this.#gone('peer vanished'), this.vanishedAfterMs);
        } else if (this.#vanishTimer !== undefined) {
          clearTimeout(this.#vanishTimer);
          this.#vanishTimer = undefined;
        }
      }).unSubscribe,
      // The offer's track was made while the offer was set, before this listener: take the
      // receiver's tracks as they are, and any made later.
      this.transceiver.onTrack.subscribe((track) => this.#receive(track)).unSubscribe,
    );
    for (const track of this.transceiver.receiver.tracks) this.#receive(track);
  }

  readonly #receiving = new Set<MediaStreamTrack>();
  #receive(track: MediaStreamTrack): void {
    if (this.#receiving.has(track)) return;
    this.#receiving.add(track);
    this.#unsubscribe.push(
      track.onReceiveRtp.subscribe((rtp) => this.#input(rtp.payload)).unSubscribe,
    );
  }

  #input(payload: Buffer): void {
    if (this.#closed || payload.length === 0) return;
    let pcm: Buffer;
    try {
      pcm = this.#decoder.decode(payload);
    } catch {
      return;
    }
    if (pcm.length > 0)
      this.#handlers?.audio(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.length));
  }

  sendEvent(text: string): void {
    if (this.#channel?.readyState === 'open') this.#channel.send(text);
  }

  sendAudio(pcm: Uint8Array): void {
    if (this.#closed) return;
    const sender = this.transceiver.sender;
    const now = performance.now();
    const gapMs = now - this.#lastSentAt;
    // After a pause the RTP clock moves on by the pause, so the receiver's jitter buffer does
    // not take the next talkspurt for late packets.
    const marker = gapMs > TALKSPURT_GAP_MS;
    if (marker && Number.isFinite(gapMs)) {
      this.#timestamp = (this.#timestamp + Math.round(gapMs * 48) - FRAME_TICKS) >>> 0;
    }
    this.#lastSentAt = now;
    for (let offset = 0; offset + FRAME_SAMPLES * 2 <= pcm.length; offset += FRAME_SAMPLES * 2) {
      const frame = Buffer.from(pcm.buffer, pcm.byteOffset + offset, FRAME_SAMPLES * 2);
      const payload = this.#encoder.encode(frame, FRAME_SAMPLES);
      this.#timestamp = (this.#timestamp + FRAME_TICKS) >>> 0;
      this.#sequence = (this.#sequence + 1) & 0xffff;
      const header = new RtpHeader({
        payloadType: sender.codec?.payloadType ?? 111,
        sequenceNumber: this.#sequence,
        timestamp: this.#timestamp,
        marker: marker && offset === 0,
      });
      void sender.sendRtp(new RtpPacket(header, payload)).catch(() => {});
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#vanishTimer !== undefined) clearTimeout(this.#vanishTimer);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#channel?.close();
    void this.pc.close().catch(() => {});
    this.#encoder.delete();
    this.#decoder.delete();
    this.forget();
  }

  #gone(reason: string): void {
    if (this.#closed) return;
    this.#handlers?.gone(reason);
    this.close();
  }
}

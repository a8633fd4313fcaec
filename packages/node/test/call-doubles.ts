import type { DuplexSocket, DuplexSocketHandlers } from '@rtwire/relay';
import { UnanswerableOfferError, type WebRtcStack } from '../src/calls/call-server.ts';
import type { CallTransport, CallTransportHandlers } from '../src/calls/call-socket.ts';

/** A parsed event, as the doubles record them. */
export type Event = { type: string; [key: string]: unknown };

// Test doubles of rtwire's own interfaces (a WebRTC stack, its transport, a sideband socket):
// what a stack does with the network is covered by the Chromium tests, not here.

export const OFFER =
  'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
export const ANSWER =
  'v=0\r\no=- 9 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

/** A stack that answers every offer with {@link ANSWER} and hands out test transports. */
export class TestStack implements WebRtcStack {
  readonly transports: TestTransport[] = [];
  closed = false;
  async answer(offer: string) {
    if (offer.includes('a=x-fail-server')) throw new Error('the stack broke');
    if (!offer.includes('m=audio')) throw new UnanswerableOfferError('no audio');
    const transport = new TestTransport();
    this.transports.push(transport);
    return { sdp: ANSWER, transport };
  }
  async close() {
    this.closed = true;
  }
}

/** A WebRTC stack's side of a call, driven by the test: the channel and track as data. */
export class TestTransport implements CallTransport {
  readonly events: Event[] = [];
  /** Each audio frame sent on the track, with how many channel events came before it. */
  readonly frames: { pcm: Uint8Array; afterEvents: number }[] = [];
  eventBufferedAmount = 0;
  closed = false;
  handlers: CallTransportHandlers | undefined;

  sendEvent(text: string): void {
    this.events.push(JSON.parse(text) as Event);
  }
  sendAudio(pcm: Uint8Array): void {
    this.frames.push({ pcm, afterEvents: this.events.length });
  }
  close(): void {
    this.closed = true;
  }
  listen(handlers: CallTransportHandlers): void {
    this.handlers = handlers;
  }
  types(): string[] {
    return this.events.map((event) => event.type);
  }
}

export class SidebandSocket implements DuplexSocket {
  readonly events: { type: string }[] = [];
  closedWith: { code: number; reason: string } | undefined;
  bufferedAmount = 0;
  handlers: DuplexSocketHandlers | undefined;
  send(data: string | Uint8Array) {
    this.events.push(JSON.parse(String(data)));
  }
  close(code: number, reason: string) {
    this.closedWith ??= { code, reason };
  }
  listen(handlers: DuplexSocketHandlers) {
    this.handlers = handlers;
  }
}

/** Polls `check` every 5 ms until it holds; fails naming `what` after 10 s. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

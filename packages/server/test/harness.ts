import { ClientEvents } from '@rtwire/builders';
import type { RealtimeClientEvent, RealtimeServerEvent } from '@rtwire/types';
import { expect, vi } from 'vitest';
import { protocolOrderErrors } from '../../../test-support/protocol-order.ts';
import { specErrors } from '../../../test-support/spec-validator.ts';
import {
  createRealtimeSession,
  type RealtimeModel,
  type RealtimeSession,
  type RealtimeSessionOptions,
} from '../src/index.ts';
import { type RecordedSession, recordSession } from './recorded-session.ts';

/** A Realtime session under test whose frames (strings) are parsed and kept in order. */
export interface Harness extends RecordedSession<RealtimeSession, RealtimeServerEvent> {
  send(event: RealtimeClientEvent | string): void;
  /** Runs every (fake) timer and microtask, then returns the events sent since the last call. */
  eventsAfterTimers(): Promise<RealtimeServerEvent[]>;
  /** Every event validates against the spec and each response keeps the protocol order. */
  expectWellFormed(): void;
}

/** Opens a session on `model` with deterministic ids; use with `vi.useFakeTimers()`. */
export function openSession(
  model: RealtimeModel,
  options: Omit<Partial<RealtimeSessionOptions<'string'>>, 'model' | 'send' | 'frames'> = {},
): Harness {
  let idCounter = 0;
  const recorded = recordSession<RealtimeServerEvent, RealtimeSession>(
    (recording) =>
      createRealtimeSession({
        ...recording.defaults,
        ids: (kind) => `${kind}_${++idCounter}`,
        ...options,
        model,
        ...recording.sink,
      }),
    specErrors,
  );
  const { events } = recorded;
  let seen = 0;
  return {
    ...recorded,
    async eventsAfterTimers() {
      await vi.runAllTimersAsync();
      const fresh = events.slice(seen);
      seen = events.length;
      return fresh;
    },
    expectWellFormed() {
      recorded.expectSpecValid();
      expect(protocolOrderErrors(events)).toEqual([]);
    },
  };
}

/** The types of `events`, in order. */
export const types = (events: readonly RealtimeServerEvent[]) => events.map((event) => event.type);

/** A user text message, as a client creates it. */
export const userText = (text: string) =>
  ClientEvents.conversationItemCreate(undefined, undefined, {
    type: 'message',
    role: 'user',
    content: [{ type: 'input_text', text }],
  });

/** Standard base64, as a client encodes its audio. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `ms` of PCM16 at 24 kHz, base64: a loud square wave (speech to the VAD) or silence. */
export function pcmBase64(ms: number, loud: boolean): string {
  const bytes = new Uint8Array(ms * 48);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < bytes.length / 2; i++)
    view.setInt16(i * 2, loud ? (i % 20 < 10 ? 12_000 : -12_000) : 0, true);
  return encodeBase64(bytes);
}

/** A client's `input_audio_buffer.append` of `ms` of speech or silence. */
export const appendAudio = (ms: number, loud: boolean) =>
  ClientEvents.inputAudioBufferAppend(undefined, pcmBase64(ms, loud));

/** A model that answers every response with one text delta. */
export const echoModel = (text = 'ok'): RealtimeModel => ({
  respond(_request, output) {
    output.text(text);
  },
});

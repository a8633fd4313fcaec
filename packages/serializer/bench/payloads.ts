import { readFileSync } from 'node:fs';

/** The fixed context of a streamed content part. */
export const context = {
  level: 'content' as const,
  responseId: 'resp_CCXHw0UJld10EzIUXQCNh',
  itemId: 'item_CCXHwGjjDUfOXbiySlK7i',
  outputIndex: 0,
  contentIndex: 0,
};

export const eventId = 'event_CCXHxcMy86rrKhBLDdqCh';
export const textDelta = ' perfectly. How can I';

/** 100 ms of 24 kHz mono PCM16: 4,800 bytes, 6,400 base64 characters. */
export const pcm = new Uint8Array(4800).map((_, index) => (index * 7919 + 13) & 255);
export const audioDelta = Buffer.from(pcm).toString('base64');

/** What the builder returns, key order included. */
export function deltaEvent(type: string, delta: string) {
  return {
    type,
    event_id: eventId,
    response_id: context.responseId,
    item_id: context.itemId,
    output_index: context.outputIndex,
    content_index: context.contentIndex,
    delta,
  };
}

/** `response.done` from the spec's example, with a longer transcript: about 1.5 KB. */
export function responseDone(): Record<string, unknown> {
  const spec = JSON.parse(
    readFileSync(new URL('../../../spec/realtime-schemas.json', import.meta.url), 'utf8'),
  );
  const example = structuredClone(
    spec.schemas.RealtimeServerEventResponseDone['x-oaiMeta'].example,
  );
  example.response.output[0].content[0].transcript =
    'Loud and clear! I can hear you perfectly. How can I help you today? '.repeat(10);
  return example;
}

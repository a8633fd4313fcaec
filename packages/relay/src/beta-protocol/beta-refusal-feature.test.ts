import { decodeServerEvent } from '@rtwire/types';
import { describe, expect, it } from 'vitest';
import { openMemorySession } from '../../test/memory-session.ts';
import { tick } from '../../test/wait.ts';
import { BETA_PROTOCOL_REFUSED, betaRefusalFeature } from './beta-refusal-feature.ts';

// A marker in every value: a refusal that echoed one would show it.
const SECRET = 'sk-SECRET-VALUE';

const open = () => openMemorySession({ features: [betaRefusalFeature()] });

describe('betaRefusalFeature (BETA_PROTOCOL=refuse)', () => {
  it('refuses each beta event, naming its beta field and GA’s, never a value', async () => {
    const { client, upstream } = await open();
    const refused: [unknown, string, string | undefined][] = [
      [
        { type: 'session.update', session: { voice: SECRET } },
        'session.voice',
        'session.audio.output.voice',
      ],
      [
        { type: 'session.update', session: { temperature: 0.5, instructions: SECRET } },
        'session.temperature',
        undefined,
      ],
      [
        { type: 'response.create', response: { modalities: ['text'], instructions: SECRET } },
        'response.modalities',
        'response.output_modalities',
      ],
      [
        {
          type: 'conversation.item.create',
          item: { type: 'message', role: 'assistant', content: [{ type: 'text', text: SECRET }] },
        },
        'item.content[0].type',
        "'output_text'",
      ],
      [
        { type: 'transcription_session.update', session: { input_audio_format: SECRET } },
        'type',
        undefined,
      ],
    ];
    for (const [event] of refused) client.deliver(JSON.stringify(event));
    await tick();
    expect(upstream.sent).toEqual([]);
    const errors = client.events();
    expect(errors).toHaveLength(refused.length);
    errors.forEach((error, index) => {
      const [, param, ga] = refused[index]!;
      expect(decodeServerEvent(error)).toMatchObject({ ok: true, known: true });
      expect(error.error).toMatchObject({
        type: 'invalid_request_error',
        code: BETA_PROTOCOL_REFUSED,
        param,
      });
      const message = String((error.error as { message: string }).message);
      expect(message).toContain('GA Realtime protocol');
      expect(message).toContain(param);
      if (ga !== undefined) expect(message).toContain(ga);
    });
    expect(JSON.stringify(errors)).not.toContain(SECRET);
  });

  it('lets GA events through as they came', async () => {
    const { client, upstream } = await open();
    const frames = [
      '{"type":"session.update","session":{"type":"realtime","output_modalities":["text"]}}',
      '{"type":"response.create","response":{"output_modalities":["audio"]}}',
      '{"type":"conversation.item.create","item":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"x"}]}}',
      '{"type":"input_audio_buffer.append","audio":"AAAA"}',
    ];
    for (const frame of frames) client.deliver(frame);
    await tick();
    expect(upstream.sent.map((frame) => frame.data)).toEqual(frames);
    expect(client.events()).toEqual([]);
  });
});

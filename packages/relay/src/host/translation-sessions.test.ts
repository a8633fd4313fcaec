import { describe, expect, it } from 'vitest';
import { frame, pcmSeconds, TRANSLATIONS, translationRelay } from '../../test/translation-relay.ts';
import { tick, until } from '../../test/wait.ts';
import { upstreamUrlFor } from '../upstream/upstream-connector.ts';
import { admitRequest, sessionKindOf } from './admission.ts';
import type { PendingSession } from './relay-host.ts';

describe('translation sessions through the relay', () => {
  it('knows the translation path, with or without a trailing slash, and only it', () => {
    expect(sessionKindOf('/v1/realtime/translations')).toBe('translation');
    expect(sessionKindOf('/v1/realtime/translations/')).toBe('translation');
    expect(sessionKindOf('/v1/realtime')).toBe('realtime');
    expect(sessionKindOf('/v1/realtime/translations/calls')).toBeUndefined();
    expect(sessionKindOf('/v1/realtime/translation')).toBeUndefined();
  });

  it('admits the translation path as a translation session and refuses an intent on it', () => {
    const config = {
      relayTokens: [],
      allowedOrigins: [],
      maxSessions: 10,
      betaProtocol: 'translate' as const,
    };
    const admitted = admitRequest(
      { url: TRANSLATIONS, headers: new Headers(), activeSessions: 0 },
      config,
    );
    expect(admitted).toMatchObject({
      ok: true,
      kind: 'translation',
      model: 'gpt-realtime-translate',
    });
    const withIntent = admitRequest(
      { url: `${TRANSLATIONS}&intent=transcription`, headers: new Headers(), activeSessions: 0 },
      config,
    );
    expect(withIntent).toMatchObject({ ok: false, status: 400, code: 'invalid_intent' });
  });

  it("asks the upstream connector for a translation session, at the endpoint's /translations", async () => {
    const { requests, open } = await translationRelay();
    const { admission } = await open();
    expect((admission as PendingSession).kind).toBe('translation');
    expect(requests[0]).toMatchObject({ kind: 'translation', model: 'gpt-realtime-translate' });
    const base = new URL('wss://api.openai.com/v1/realtime');
    expect(
      upstreamUrlFor(base, 'gpt-realtime-translate', undefined, undefined, 'translation').href,
    ).toBe('wss://api.openai.com/v1/realtime/translations?model=gpt-realtime-translate');
    expect(
      upstreamUrlFor(
        new URL('wss://h.example/v1/realtime/'),
        undefined,
        undefined,
        undefined,
        'translation',
      ).pathname,
    ).toBe('/v1/realtime/translations');
    expect(upstreamUrlFor(base, 'gpt-realtime').pathname).toBe('/v1/realtime');
  });

  it('decodes client frames as translation events and forwards them as the bytes that came', async () => {
    const { open } = await translationRelay();
    const { client, upstream } = await open();
    const update = frame({
      type: 'session.update',
      session: { audio: { output: { language: 'fr' } } },
    });
    const append = frame({ type: 'session.input_audio_buffer.append', audio: pcmSeconds(0.2) });
    client.deliver(update);
    client.deliver(append);
    client.deliver(frame({ type: 'session.close' }));
    await until(() => upstream.sent.length === 3, 'three frames upstream');
    expect(upstream.sent.map(({ data }) => data)).toEqual([
      update,
      append,
      frame({ type: 'session.close' }),
    ]);
    // A translation session.update without its session is refused by the translation decoder,
    // naming the field, and never reaches the upstream.
    client.deliver(frame({ type: 'session.update', event_id: 'evt_1' }));
    await until(() => client.sent.length === 1, 'the refusal');
    expect(client.events()[0]).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', param: 'session', event_id: 'evt_1' },
    });
    expect(upstream.sent).toHaveLength(3);
  });

  it('passes upstream frames to the client as the bytes that came, with no Realtime feature in the way', async () => {
    const { open } = await translationRelay();
    const { client, upstream } = await open();
    const delta = frame({
      type: 'session.output_audio.delta',
      event_id: 'event_1',
      delta: pcmSeconds(0.1),
      elapsed_ms: 200,
    });
    upstream.deliver(delta);
    await until(() => client.sent.length === 1, 'the delta');
    expect(client.sent[0]?.data).toBe(delta);
  });

  describe('policy: the output languages', () => {
    const rules = { outputLanguages: ['es', 'fr'] };

    it('sets the first language before anything of the client, withholds its answer, shows it in session.created', async () => {
      const { open } = await translationRelay(rules);
      const { client, upstream } = await open();
      await until(() => upstream.sent.length === 1, 'the opening update');
      expect(upstream.events()[0]).toMatchObject({
        type: 'session.update',
        session: { audio: { output: { language: 'es' } } },
      });
      upstream.deliver(
        frame({
          type: 'session.created',
          event_id: 'event_a',
          session: {
            id: 'sess_1',
            type: 'translation',
            model: 'gpt-realtime-translate',
            expires_at: 1,
            audio: {
              input: { transcription: null, noise_reduction: null },
              output: { language: 'en' },
            },
          },
        }),
      );
      upstream.deliver(
        frame({
          type: 'session.updated',
          event_id: 'event_b',
          session: { id: 'sess_1', type: 'translation', audio: { output: { language: 'es' } } },
        }),
      );
      await until(() => client.sent.length === 1, 'session.created');
      await tick();
      expect(client.events().map((event) => event.type)).toEqual(['session.created']);
      expect(client.events()[0]).toMatchObject({
        session: { audio: { output: { language: 'es' } } },
      });
    });

    it('refuses a language the tenant may not use, naming the field and not the value', async () => {
      const { open } = await translationRelay(rules);
      const { client, upstream } = await open();
      await until(() => upstream.sent.length === 1, 'the opening update');
      client.deliver(
        frame({
          type: 'session.update',
          event_id: 'evt_de',
          session: { audio: { output: { language: 'de-secret' } } },
        }),
      );
      await until(() => client.sent.length === 1, 'the refusal');
      const [refusal] = client.events();
      expect(refusal).toMatchObject({
        type: 'error',
        error: {
          code: 'policy_violation',
          param: 'session.audio.output.language',
          event_id: 'evt_de',
        },
      });
      expect(JSON.stringify(refusal)).not.toContain('de-secret');
      expect(upstream.sent).toHaveLength(1);
      client.deliver(
        frame({ type: 'session.update', session: { audio: { output: { language: 'fr' } } } }),
      );
      await until(() => upstream.sent.length === 2, 'the allowed update');
    });

    it('clamps to the first language under onViolation: clamp', async () => {
      const { open } = await translationRelay({ ...rules, onViolation: 'clamp' });
      const { client, upstream } = await open();
      client.deliver(
        frame({
          type: 'session.update',
          session: {
            audio: { output: { language: 'de' }, input: { transcription: { model: 'whisper-1' } } },
          },
        }),
      );
      await until(() => upstream.sent.length === 2, 'the clamped update');
      expect(upstream.events()[1]).toMatchObject({
        session: {
          audio: { output: { language: 'es' }, input: { transcription: { model: 'whisper-1' } } },
        },
      });
    });

    it('refuses a field the translation protocol does not have, as the live API does', async () => {
      const { open } = await translationRelay(rules);
      const { client, upstream } = await open();
      client.deliver(
        frame({
          type: 'session.update',
          session: { type: 'realtime', audio: { output: { language: 'es' } } },
        }),
      );
      await until(() => client.sent.length === 1, 'the refusal');
      expect(client.events()[0]).toMatchObject({
        error: { code: 'unknown_parameter', param: 'session.type' },
      });
      expect(upstream.sent).toHaveLength(1);
    });
  });

  describe('metering: audio both ways', () => {
    it('counts input and output audio seconds and ends the session at the cap', async () => {
      const { open, records } = await translationRelay({
        limits: { audioSeconds: { input: { perMinute: 3 } } },
      });
      const { client, upstream } = await open();
      upstream.deliver(
        frame({ type: 'session.output_audio.delta', event_id: 'e1', delta: pcmSeconds(1) }),
      );
      for (let second = 0; second < 5; second++) {
        client.deliver(frame({ type: 'session.input_audio_buffer.append', audio: pcmSeconds(1) }));
      }
      await until(() => client.closedWith !== undefined, 'the end at the cap');
      expect(client.closedWith?.code).toBe(1008);
      expect(client.events().at(-1)).toMatchObject({
        type: 'error',
        error: { code: 'quota_exceeded' },
      });
      await until(() => records.some((record) => record.type === 'usage.session'), 'the record');
      const record = records.find((entry) => entry.type === 'usage.session');
      // Every append went upstream before the store answered, so every one is counted.
      expect(record).toMatchObject({
        tenant: 'acme',
        input_audio_seconds: 5,
        output_audio_seconds: 1,
      });
    });

    it('keeps a session under its cap open, and records its audio when it ends', async () => {
      const { open, records } = await translationRelay({
        limits: { audioSeconds: { perMinute: 60 } },
      });
      const { client, upstream, session } = await open();
      client.deliver(frame({ type: 'session.input_audio_buffer.append', audio: pcmSeconds(0.5) }));
      upstream.deliver(
        frame({ type: 'session.output_audio.delta', event_id: 'e1', delta: pcmSeconds(0.25) }),
      );
      await tick();
      expect(client.closedWith).toBeUndefined();
      session.close(1000, 'done');
      await until(() => records.some((record) => record.type === 'usage.session'), 'the record');
      expect(records.find((entry) => entry.type === 'usage.session')).toMatchObject({
        input_audio_seconds: 0.5,
        output_audio_seconds: 0.25,
      });
    });
  });
});

import { describe, expect, it } from 'vitest';
import { schemaErrors } from '../../../../test-support/spec-validator.ts';
import { translationRelay } from '../../test/translation-relay.ts';
import { until } from '../../test/wait.ts';
import type { PendingSession } from '../host/relay-host.ts';

// Translation client secrets through the host: apart from translation-sessions.test.ts since a
// Request with a body needs a real fetch (Node, Deno, Bun), which the edge matrix lacks.
describe('translation client secrets: POST /v1/realtime/translations/client_secrets', () => {
  const mint = (
    host: ReturnType<typeof translationRelay>['host'],
    body: unknown,
    path = '/v1/realtime/translations/client_secrets',
  ) =>
    host.mintClientSecret(
      new Request(`http://relay.test${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer tok_acme' },
        body: JSON.stringify(body),
      }),
    );

  it('answers as the live API does, and the secret opens a translation session with its audio', async () => {
    const { host, open } = translationRelay();
    expect(host.routeOf('/v1/realtime/translations/client_secrets')).toBe('client_secrets');
    const reply = await mint(host, {
      expires_after: { anchor: 'created_at', seconds: 60 },
      session: {
        model: 'gpt-realtime-translate',
        audio: {
          output: { language: 'es' },
          input: { transcription: { model: 'gpt-realtime-whisper' } },
        },
      },
    });
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body);
    expect(schemaErrors('RealtimeTranslationClientSecretCreateResponse', body)).toBeUndefined();
    expect(body.session).toMatchObject({
      type: 'translation',
      model: 'gpt-realtime-translate',
      audio: { output: { language: 'es' }, input: { noise_reduction: null } },
    });
    // The model comes from the secret when the URL names none.
    const { upstream, admission } = await open('/v1/realtime/translations', body.value);
    expect(admission).toMatchObject({ kind: 'translation', model: 'gpt-realtime-translate' });
    await until(() => upstream.sent.length === 1, 'the sealed update');
    expect(upstream.events()[0]).toEqual({
      type: 'session.update',
      session: {
        audio: {
          output: { language: 'es' },
          input: { transcription: { model: 'gpt-realtime-whisper' } },
        },
      },
    });
  });

  it('opens only the kind of session it was minted for', async () => {
    const { host } = translationRelay();
    const translation = JSON.parse(
      (await mint(host, { session: { model: 'gpt-realtime-translate' } })).body,
    ).value;
    const realtime = JSON.parse(
      (await mint(host, { session: { type: 'realtime' } }, '/v1/realtime/client_secrets')).body,
    ).value;
    const admit = (url: string, token: string) =>
      host.admit({ url, headers: new Headers({ authorization: `Bearer ${token}` }) });
    expect(await admit('/v1/realtime', translation)).toMatchObject({ ok: false, status: 401 });
    expect(await admit('/v1/realtime/translations', realtime)).toMatchObject({
      ok: false,
      status: 401,
    });
    const admitted = await admit('/v1/realtime/translations', translation);
    expect(admitted).toMatchObject({ ok: true, kind: 'translation' });
    if (admitted.ok) (admitted as PendingSession).cancel();
  });

  it('refuses what the spec or the policy refuses, naming the field and never the value', async () => {
    const { host } = translationRelay({ outputLanguages: ['es'] });
    const cases: [unknown, string, string][] = [
      [{}, 'missing_required_parameter', 'session'],
      [{ session: {} }, 'invalid_value', 'session.model'],
      [
        { session: { model: 'gpt-realtime-translate', voice: 'marin' } },
        'unknown_parameter',
        'session.voice',
      ],
      [
        {
          session: {
            model: 'gpt-realtime-translate',
            audio: { output: { language: 'es', speed: 2 } },
          },
        },
        'unknown_parameter',
        'session.audio.output.speed',
      ],
      [
        {
          session: {
            model: 'gpt-realtime-translate',
            audio: { output: { language: 'xx-private' } },
          },
        },
        'policy_violation',
        'session.audio.output.language',
      ],
    ];
    for (const [body, code, param] of cases) {
      const reply = await mint(host, body);
      expect(reply.status, param).toBe(400);
      expect(JSON.parse(reply.body).error, param).toMatchObject({ code, param });
      expect(reply.body).not.toContain('xx-private');
      expect(reply.body).not.toContain('marin');
    }
  });
});

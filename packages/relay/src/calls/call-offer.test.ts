import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CALL_OFFER_BYTES, readCallOffer } from './call-offer.ts';

const OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=rtpmap:111 opus/48000/2',
  'a=mid:0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'a=mid:1',
  '',
].join('\r\n');

const post = (body: BodyInit, headers: Record<string, string>) =>
  new Request('http://relay.test/v1/realtime/calls', { method: 'POST', body, headers });

const form = (fields: Record<string, string | Blob>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
};

describe('readCallOffer', () => {
  it('reads a raw application/sdp offer as it came, line endings included', async () => {
    const result = await readCallOffer(post(OFFER, { 'content-type': 'application/sdp' }));
    expect(result).toEqual({ ok: true, offer: { sdp: OFFER, session: undefined } });
  });

  it('reads the multipart form: sdp and session (as text fields or as files)', async () => {
    const session = { type: 'realtime', model: 'gpt-realtime', instructions: 'Be brief.' };
    for (const fields of [
      { sdp: OFFER, session: JSON.stringify(session) },
      {
        sdp: new Blob([OFFER], { type: 'application/sdp' }),
        session: new Blob([JSON.stringify(session)], { type: 'application/json' }),
      },
    ]) {
      const result = await readCallOffer(post(form(fields), {}));
      expect(result).toEqual({ ok: true, offer: { sdp: OFFER, session } });
    }
  });

  it('takes a form with no session', async () => {
    const result = await readCallOffer(post(form({ sdp: OFFER }), {}));
    expect(result).toEqual({ ok: true, offer: { sdp: OFFER, session: undefined } });
  });

  it('refuses other content types with 415', async () => {
    const result = await readCallOffer(post(OFFER, { 'content-type': 'application/json' }));
    expect(result).toMatchObject({
      ok: false,
      refusal: { status: 415, error: { code: 'unsupported_content_type', param: null } },
    });
  });

  it('refuses what is not an SDP offer, naming the field and not echoing it', async () => {
    for (const body of ['', 'hello', 'v=0\r\ns=-\r\n', '<html>v=0</html>']) {
      const result = await readCallOffer(post(body, { 'content-type': 'application/sdp' }));
      expect(result).toMatchObject({
        ok: false,
        refusal: { status: 400, error: { code: 'invalid_sdp', param: 'sdp' } },
      });
      if (!result.ok && body !== '') expect(result.refusal.error.message).not.toContain(body);
    }
  });

  it('refuses a form without sdp, and a session that is not JSON or not a session', async () => {
    const cases = [
      [form({ session: '{}' }), 'missing_sdp', 'sdp'],
      [form({ sdp: OFFER, session: '{not json' }), 'invalid_session', 'session'],
      [form({ sdp: OFFER, session: '"realtime"' }), 'invalid_session', 'session'],
      [form({ sdp: OFFER, session: '[1]' }), 'invalid_session', 'session'],
      [
        form({ sdp: OFFER, session: '{"type":"transcription"}' }),
        'invalid_session',
        'session.type',
      ],
    ] as const;
    for (const [body, code, param] of cases) {
      const result = await readCallOffer(post(body, {}));
      expect(result).toMatchObject({ ok: false, refusal: { status: 400, error: { code, param } } });
    }
  });

  it('refuses a multipart body that does not parse', async () => {
    const result = await readCallOffer(
      post('--x\r\nnot a part', { 'content-type': 'multipart/form-data; boundary=zzz' }),
    );
    expect(result).toMatchObject({ ok: false, refusal: { status: 400 } });
  });

  it('refuses a body over the bound with 413, by its Content-Length or as it streams', async () => {
    const big = `${OFFER}a=x:${'y'.repeat(MAX_CALL_OFFER_BYTES)}\r\n`;
    const declared = await readCallOffer(post(big, { 'content-type': 'application/sdp' }));
    expect(declared).toMatchObject({
      ok: false,
      refusal: { status: 413, error: { code: 'body_too_large' } },
    });

    // A stream with no length: reading stops at the first chunk past the bound.
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(chunk);
      },
    });
    const streamed = await readCallOffer(
      new Request('http://relay.test/v1/realtime/calls', {
        method: 'POST',
        body: endless,
        headers: { 'content-type': 'application/sdp' },
        duplex: 'half',
      } as RequestInit),
      { maxBytes: 200 * 1024 },
    );
    expect(streamed).toMatchObject({ ok: false, refusal: { status: 413 } });
    expect(pulled).toBeLessThanOrEqual(6);
  });

  it('never throws and answers ok exactly for an SDP body within the bound (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 400 }), fc.constant(OFFER)),
        fc.constantFrom('application/sdp', 'application/SDP; charset=utf-8', 'text/plain', ''),
        fc.integer({ min: 0, max: 600 }),
        async (body, contentType, maxBytes) => {
          const headers: Record<string, string> =
            contentType === '' ? {} : { 'content-type': contentType };
          const result = await readCallOffer(post(body, headers), { maxBytes });
          const sdpType = contentType.toLowerCase().startsWith('application/sdp');
          const fits = new TextEncoder().encode(body).length <= maxBytes;
          const looksLikeSdp = /^v=0\r?\n/.test(body) && /\r?\nm=/.test(body);
          expect(result.ok).toBe(sdpType && fits && looksLikeSdp);
          if (!result.ok) {
            const expected = !sdpType ? 415 : !fits ? 413 : 400;
            expect(result.refusal.status).toBe(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads a translation call's session as a translation session, refusing what one lacks", async () => {
    const session = { model: 'gpt-realtime-translate', audio: { output: { language: 'es' } } };
    const read = (value: unknown) =>
      readCallOffer(post(form({ sdp: OFFER, session: JSON.stringify(value) }), {}), {
        kind: 'translation',
      });
    expect(await read(session)).toEqual({
      ok: true,
      offer: {
        sdp: OFFER,
        session: undefined,
        translationSession: { type: 'translation', ...session },
      },
    });
    // A Realtime session is not one: its fields are named, never echoed.
    const realtime = await read({ type: 'realtime', instructions: 'secret plan' });
    expect(realtime).toMatchObject({
      ok: false,
      refusal: { status: 400, error: { code: 'invalid_session', param: 'session.type' } },
    });
    expect(JSON.stringify(realtime)).not.toContain('secret plan');
    // And a translation session is not a Realtime call's.
    const asRealtime = await readCallOffer(
      post(form({ sdp: OFFER, session: JSON.stringify(session) }), {}),
    );
    expect(asRealtime).toMatchObject({
      ok: false,
      refusal: { error: { code: 'invalid_session' } },
    });
  });
});

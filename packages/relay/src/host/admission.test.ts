import { describe, expect, it } from 'vitest';
import { admitRequest, parseCredential, parseSubprotocols } from './admission.ts';

const config = {
  relayTokens: ['secret-token'],
  allowedOrigins: ['https://app.example'],
  maxSessions: 2,
  betaProtocol: 'translate' as const,
};
const request = (
  headers: Record<string, string>,
  url = '/v1/realtime?model=gpt-realtime',
  activeSessions = 0,
) => ({
  url,
  headers: new Headers(headers),
  activeSessions,
});

describe('admitRequest', () => {
  it('accepts a bearer token and passes the model on', () => {
    expect(admitRequest(request({ authorization: 'Bearer secret-token' }), config)).toEqual({
      ok: true,
      model: 'gpt-realtime',
      protocol: undefined,
      kind: 'realtime',
    });
  });

  it('accepts the browser subprotocol token and selects realtime', () => {
    const decision = admitRequest(
      request({
        'sec-websocket-protocol':
          'realtime, openai-insecure-api-key.secret-token, openai-beta.realtime-v1',
        origin: 'https://app.example',
      }),
      config,
    );
    expect(decision).toEqual({
      ok: true,
      model: 'gpt-realtime',
      protocol: 'realtime',
      kind: 'realtime',
    });
  });

  it('answers 401 without a valid token, 403 for other origins, 404 elsewhere, 503 when full', () => {
    expect(admitRequest(request({}), config)).toMatchObject({ ok: false, status: 401 });
    expect(admitRequest(request({ authorization: 'Bearer wrong' }), config)).toMatchObject({
      status: 401,
    });
    expect(
      admitRequest(
        request({ authorization: 'Bearer secret-token', origin: 'https://evil.example' }),
        config,
      ),
    ).toMatchObject({ ok: false, status: 403 });
    expect(
      admitRequest(request({ authorization: 'Bearer secret-token' }, '/v1/other'), config),
    ).toMatchObject({
      status: 404,
    });
    expect(
      admitRequest(request({ authorization: 'Bearer secret-token' }, '/v1/realtime', 2), config),
    ).toMatchObject({ status: 503, code: 'over_capacity' });
    expect(
      admitRequest(
        { ...request({ authorization: 'Bearer secret-token' }), draining: true },
        config,
      ),
    ).toMatchObject({ status: 503, code: 'shutting_down' });
  });

  it('needs no token when none are configured', () => {
    const open = {
      relayTokens: [],
      allowedOrigins: [],
      maxSessions: 10,
      betaProtocol: 'translate' as const,
    };
    expect(admitRequest(request({}, '/v1/realtime'), open)).toEqual({
      ok: true,
      model: undefined,
      protocol: undefined,
      kind: 'realtime',
    });
  });

  it('never echoes the request in its message', () => {
    const decision = admitRequest(request({ authorization: 'Bearer leaked-value' }), config);
    expect(JSON.stringify(decision)).not.toContain('leaked-value');
  });
});

describe('tenants', () => {
  const tenants = { ...config, relayTokens: ['acme:tok_acme', 'beta:tok_beta', 'tok_plain'] };
  it('names the tenant of the credential presented, none for a plain token', () => {
    const as = (token: string) =>
      admitRequest(request({ authorization: `Bearer ${token}` }), tenants);
    expect(as('tok_acme')).toMatchObject({ ok: true, tenant: 'acme' });
    expect(as('tok_beta')).toMatchObject({ ok: true, tenant: 'beta' });
    expect(as('tok_plain')).toMatchObject({ ok: true, tenant: undefined });
    // The tenant's name is not part of its token.
    expect(as('acme:tok_acme')).toMatchObject({ ok: false, status: 401 });
  });

  it('reads tenant:token, and takes an entry whose head is no tenant name as a plain token', () => {
    expect(parseCredential('acme:s3cret')).toEqual({ tenant: 'acme', token: 's3cret' });
    expect(parseCredential('s3cret')).toEqual({ tenant: undefined, token: 's3cret' });
    expect(parseCredential('a b:c')).toEqual({ tenant: undefined, token: 'a b:c' });
    expect(parseCredential(':c')).toEqual({ tenant: undefined, token: ':c' });
    expect(parseCredential('acme:')).toEqual({ tenant: undefined, token: 'acme:' });
  });
});

it('parseSubprotocols splits and trims', () => {
  expect(parseSubprotocols(' a ,b,, c')).toEqual(['a', 'b', 'c']);
  expect(parseSubprotocols(null)).toEqual([]);
});

describe('admitRequest and the model parameter', () => {
  const open = {
    relayTokens: [],
    allowedOrigins: [],
    maxSessions: 10,
    betaProtocol: 'translate' as const,
  };
  it('refuses a model name longer than 128 characters, or with spaces or controls, with 400', () => {
    for (const model of ['m'.repeat(129), 'gpt realtime', 'gpt\u0000x', '', 'gpt-é']) {
      const decision = admitRequest(
        request({}, `/v1/realtime?model=${encodeURIComponent(model)}`),
        open,
      );
      expect(decision).toMatchObject({ ok: false, status: 400, code: 'invalid_model' });
      if (!decision.ok) expect(decision.message).not.toContain(model || '\u0000never');
    }
  });

  it('passes a well-formed intent on and refuses any other with 400 invalid_intent', () => {
    expect(admitRequest(request({}, '/v1/realtime?intent=transcription'), open)).toMatchObject({
      ok: true,
      model: undefined,
      intent: 'transcription',
    });
    for (const intent of ['', 'Transcription', 'a b', 'x'.repeat(33), 'trans-cription', '\u00e9']) {
      const decision = admitRequest(
        request({}, `/v1/realtime?intent=${encodeURIComponent(intent)}`),
        open,
      );
      expect(decision, intent).toMatchObject({ ok: false, status: 400, code: 'invalid_intent' });
    }
  });

  it('accepts real model names, fine-tuned ones included, and no model at all', () => {
    for (const model of ['gpt-realtime', 'gpt-4o-realtime-preview-2025-06-03', 'ft:gpt:org:x:1']) {
      expect(admitRequest(request({}, `/v1/realtime?model=${model}`), open)).toMatchObject({
        ok: true,
        model,
      });
    }
    expect(admitRequest(request({}, '/v1/realtime'), open)).toMatchObject({
      ok: true,
      model: undefined,
    });
    expect(admitRequest(request({}, `/v1/realtime?model=${'m'.repeat(128)}`), open)).toMatchObject({
      ok: true,
    });
  });
});

describe('admitRequest and subprotocols', () => {
  const tokens = {
    relayTokens: ['secret-token'],
    allowedOrigins: [],
    maxSessions: 10,
    betaProtocol: 'translate' as const,
  };
  it('refuses, with 400, a client that offers subprotocols but not realtime (it would abort on any 101)', () => {
    const decision = admitRequest(
      request({ 'sec-websocket-protocol': 'openai-insecure-api-key.secret-token' }),
      tokens,
    );
    expect(decision).toMatchObject({ ok: false, status: 400, code: 'unsupported_subprotocol' });
    if (!decision.ok) expect(decision.message).not.toContain('secret-token');
  });

  it('checks the credential first: a wrong token offered alone is still a 401', () => {
    const decision = admitRequest(
      request({ 'sec-websocket-protocol': 'openai-insecure-api-key.wrong' }),
      tokens,
    );
    expect(decision).toMatchObject({ ok: false, status: 401 });
  });

  it('selects realtime whenever it is offered, and nothing when nothing is offered', () => {
    const offered = admitRequest(
      request({ 'sec-websocket-protocol': 'openai-insecure-api-key.secret-token, realtime' }),
      tokens,
    );
    expect(offered).toMatchObject({ ok: true, protocol: 'realtime' });
    const none = admitRequest(request({ authorization: 'Bearer secret-token' }), tokens);
    expect(none).toMatchObject({ ok: true, protocol: undefined });
  });
});

import { describe, expect, it } from 'vitest';
import { admitRequest, parseSubprotocols } from './admission.ts';

const config = {
  relayTokens: ['secret-token'],
  allowedOrigins: ['https://app.example'],
  maxSessions: 2,
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
    expect(decision).toEqual({ ok: true, model: 'gpt-realtime', protocol: 'realtime' });
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
    const open = { relayTokens: [], allowedOrigins: [], maxSessions: 10 };
    expect(admitRequest(request({}, '/v1/realtime'), open)).toEqual({
      ok: true,
      model: undefined,
      protocol: undefined,
    });
  });

  it('never echoes the request in its message', () => {
    const decision = admitRequest(request({ authorization: 'Bearer leaked-value' }), config);
    expect(JSON.stringify(decision)).not.toContain('leaked-value');
  });
});

it('parseSubprotocols splits and trims', () => {
  expect(parseSubprotocols(' a ,b,, c')).toEqual(['a', 'b', 'c']);
  expect(parseSubprotocols(null)).toEqual([]);
});

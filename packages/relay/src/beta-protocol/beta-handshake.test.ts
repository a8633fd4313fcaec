import { describe, expect, it } from 'vitest';
import { MemorySocket } from '../../test/memory-socket.ts';
import { parseRelayConfig } from '../config/relay-config.ts';
import { admitRequest } from '../host/admission.ts';
import { BETA_SUBPROTOCOL, betaProtocolSession, offersBetaProtocol } from './beta-handshake.ts';

const headers = (values: Record<string, string>) => new Headers(values);
const config = { relayTokens: [], allowedOrigins: [], maxSessions: 10 };
const admit = (protocols: string, path = '/v1/realtime') =>
  admitRequest(
    {
      url: `${path}?model=gpt-realtime`,
      headers: headers({ 'sec-websocket-protocol': protocols }),
      activeSessions: 0,
    },
    config,
  );

describe('a beta client at the handshake', () => {
  it('is known by its OpenAI-Beta header or its subprotocol', () => {
    expect(offersBetaProtocol(headers({ 'openai-beta': 'realtime=v1' }))).toBe(true);
    expect(offersBetaProtocol(headers({ 'OpenAI-Beta': 'assistants=v2, realtime=v1' }))).toBe(true);
    expect(
      offersBetaProtocol(headers({ 'sec-websocket-protocol': `realtime, ${BETA_SUBPROTOCOL}` })),
    ).toBe(true);
    expect(offersBetaProtocol(headers({ 'openai-beta': 'assistants=v2' }))).toBe(false);
    expect(offersBetaProtocol(headers({ 'sec-websocket-protocol': 'realtime' }))).toBe(false);
    expect(offersBetaProtocol(headers({}))).toBe(false);
  });

  it('gets a subprotocol it offered: realtime first, else the beta one', () => {
    expect(admit(`realtime, ${BETA_SUBPROTOCOL}`)).toMatchObject({
      ok: true,
      protocol: 'realtime',
    });
    expect(admit(`${BETA_SUBPROTOCOL}, openai-insecure-api-key.x`)).toMatchObject({
      ok: true,
      protocol: BETA_SUBPROTOCOL,
    });
    expect(admit('openai-insecure-api-key.x')).toMatchObject({ ok: false, status: 400 });
  });

  it('is not selected the beta subprotocol where only GA is served (a translation session)', () => {
    const translations = '/v1/realtime/translations';
    expect(admit(BETA_SUBPROTOCOL, translations)).toMatchObject({ ok: false, status: 400 });
    expect(admit(`realtime, ${BETA_SUBPROTOCOL}`, translations)).toMatchObject({
      ok: true,
      protocol: 'realtime',
    });
  });

  it('is translated, or refused, as BETA_PROTOCOL says (translate by default)', () => {
    const read = (env: Record<string, string>) => parseRelayConfig(env);
    expect(read({})).toMatchObject({ ok: true, config: { betaProtocol: 'translate' } });
    expect(read({ BETA_PROTOCOL: 'refuse' })).toMatchObject({
      ok: true,
      config: { betaProtocol: 'refuse' },
    });
    expect(read({ BETA_PROTOCOL: 'sometimes' })).toMatchObject({
      ok: false,
      errors: [{ variable: 'BETA_PROTOCOL', message: 'expected one of translate, refuse' }],
    });
    const client = new MemorySocket();
    const refuse = betaProtocolSession('refuse', headers({ 'openai-beta': 'realtime=v1' }));
    expect(refuse.wrap(client)).toBe(client);
    expect(refuse.features).toHaveLength(1);
    const translate = betaProtocolSession('translate', headers({ upgrade: 'websocket' }));
    expect(translate.wrap(client)).not.toBe(client);
    expect(translate.features).toEqual([]);
  });

  it("leaves a WebRTC call's session GA: only a WebSocket upgrade is translated", () => {
    const client = new MemorySocket();
    // A call's offer is a POST: the call socket reads the GA names to play the reply's audio.
    const call = betaProtocolSession(
      'translate',
      headers({ 'openai-beta': 'realtime=v1', 'content-type': 'application/sdp' }),
    );
    expect(call.wrap(client)).toBe(client);
    expect(call.features).toEqual([]);
    const upgrade = betaProtocolSession(
      'translate',
      headers({ 'openai-beta': 'realtime=v1', upgrade: 'WebSocket' }),
    );
    expect(upgrade.wrap(client)).not.toBe(client);
  });
});

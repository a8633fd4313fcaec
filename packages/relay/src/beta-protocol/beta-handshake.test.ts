import { describe, expect, it } from 'vitest';
import { MemorySocket } from '../../test/memory-socket.ts';
import { until } from '../../test/wait.ts';
import { parseRelayConfig } from '../config/relay-config.ts';
import { createSimulatorConnector } from '../engine/simulator-connector.ts';
import { admitRequest } from '../host/admission.ts';
import { createRelayHost } from '../host/relay-host.ts';
import {
  BETA_SUBPROTOCOL,
  type BetaProtocolMode,
  betaProtocolSession,
  offersBetaProtocol,
} from './beta-handshake.ts';
import { BETA_PROTOCOL_REFUSED } from './beta-refusal-feature.ts';

const headers = (values: Record<string, string>) => new Headers(values);
const config = { relayTokens: [], allowedOrigins: [], maxSessions: 10 };
const admit = (
  protocols: string,
  path = '/v1/realtime',
  betaProtocol: BetaProtocolMode = 'translate',
) =>
  admitRequest(
    {
      url: `${path}?model=gpt-realtime`,
      headers: headers({ 'sec-websocket-protocol': protocols }),
      activeSessions: 0,
    },
    { ...config, betaProtocol },
  );

/** A host as `BETA_PROTOCOL=refuse` makes it, on the simulator. */
function refusingHost() {
  const parsed = parseRelayConfig({ BETA_PROTOCOL: 'refuse' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return createRelayHost({
    config: parsed.config,
    connectUpstream: createSimulatorConnector({ pace: 'fast', frames: 'string' }),
  });
}

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

  it('is not selected the beta subprotocol under BETA_PROTOCOL=refuse: realtime, or a 400', () => {
    const refuse = 'refuse' as const;
    expect(admit(`realtime, ${BETA_SUBPROTOCOL}`, '/v1/realtime', refuse)).toMatchObject({
      ok: true,
      protocol: 'realtime',
    });
    // Selecting it would half-accept a session whose every beta event is then refused.
    expect(admit(`${BETA_SUBPROTOCOL}, openai-insecure-api-key.x`, '/v1/realtime', refuse)).toEqual(
      {
        ok: false,
        status: 400,
        code: 'unsupported_subprotocol',
        message: expect.stringMatching(
          /^Only the GA Realtime protocol is served here: offer the 'realtime'/,
        ),
      },
    );
    expect(admit('', '/v1/realtime', refuse)).toMatchObject({ ok: true, protocol: undefined });
  });

  it('reaches a refusing host as a GA client: realtime selected, its beta events refused', async () => {
    const host = refusingHost();
    const betaOnly = await host.admit({
      url: '/v1/realtime?model=gpt-realtime',
      headers: headers({ upgrade: 'websocket', 'sec-websocket-protocol': BETA_SUBPROTOCOL }),
    });
    expect(betaOnly).toMatchObject({ ok: false, status: 400, code: 'unsupported_subprotocol' });
    const browser = await host.admit({
      url: '/v1/realtime?model=gpt-realtime',
      headers: headers({
        upgrade: 'websocket',
        'sec-websocket-protocol': `realtime, ${BETA_SUBPROTOCOL}`,
      }),
    });
    expect(browser).toMatchObject({ ok: true, protocol: 'realtime' });
    if (!browser.ok) return;
    const client = new MemorySocket();
    browser.open(client);
    const events = () => client.sent.map((frame) => JSON.parse(String(frame.data)));
    await until(() => events().some((event) => event.type === 'session.created'), 'created');
    client.deliver(JSON.stringify({ type: 'session.update', session: { modalities: ['text'] } }));
    await until(() => events().some((event) => event.type === 'error'), 'the refusal');
    expect(events().find((event) => event.type === 'error')).toMatchObject({
      error: { code: BETA_PROTOCOL_REFUSED, param: 'session.modalities' },
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

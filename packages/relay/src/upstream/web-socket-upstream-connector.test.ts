import { describe, expect, it } from 'vitest';
import {
  createWebSocketUpstreamConnector,
  type WebSocketDialer,
} from './web-socket-upstream-connector.ts';

/** A dial that never completes: the handshake of an upstream that accepted TCP and went quiet. */
const hangingDial: WebSocketDialer = (_url, _headers, signal) =>
  new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () =>
      reject(new Error('client left before the upstream opened')),
    );
  });

describe('createWebSocketUpstreamConnector', () => {
  it('gives a handshake up after handshakeTimeoutMs, saying so', async () => {
    const connect = createWebSocketUpstreamConnector({
      url: new URL('wss://upstream.invalid/v1/realtime'),
      apiKey: 'sk-never-shown',
      dial: hangingDial,
      handshakeTimeoutMs: 30,
    });
    const attempt = connect({ model: undefined, signal: new AbortController().signal });
    // The dial never answers: only the handshake timer can end the attempt.
    await expect(attempt).rejects.toThrow('upstream handshake timed out after 30 ms');
    await attempt.catch((error: Error) => expect(error.message).not.toContain('sk-never-shown'));
  });

  it("dials the endpoint with the client's model and intent", async () => {
    const dialed: string[] = [];
    const connect = createWebSocketUpstreamConnector({
      url: new URL('wss://upstream.invalid/v1/realtime'),
      apiKey: undefined,
      dial: (url, headers, signal) => {
        dialed.push(url.href);
        return hangingDial(url, headers, signal);
      },
      handshakeTimeoutMs: 10,
    });
    const signal = new AbortController().signal;
    await connect({ model: 'gpt-realtime', signal }).catch(() => {});
    await connect({ model: undefined, intent: 'transcription', signal }).catch(() => {});
    expect(dialed).toEqual([
      'wss://upstream.invalid/v1/realtime?model=gpt-realtime',
      'wss://upstream.invalid/v1/realtime?intent=transcription',
    ]);
  });

  it('still tells a client that left from a timeout', async () => {
    const connect = createWebSocketUpstreamConnector({
      url: new URL('wss://upstream.invalid/v1/realtime'),
      apiKey: undefined,
      dial: hangingDial,
      handshakeTimeoutMs: 60_000,
    });
    const client = new AbortController();
    const attempt = connect({ model: undefined, signal: client.signal });
    client.abort();
    await expect(attempt).rejects.toThrow('client left before the upstream opened');
  });
});

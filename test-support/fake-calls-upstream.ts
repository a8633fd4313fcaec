// Test-only (Node): a network upstream that takes WebRTC calls as the live API does, for the
// relay's forwarded-call tests on Node and in workerd (which reach it over loopback). It answers
// an offer (`POST /v1/realtime/calls`, raw SDP or the multipart form) with a fixed SDP and a
// `Location`, hangs up (`POST …/{id}/hangup`, closing its sidebands) and takes sidebands
// (`/v1/realtime?call_id=`), recording what each brought.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { handleSafely } from './http-handler.ts';

/** The SDP answer the fake gives every offer. */
export const ANSWER =
  'v=0\r\no=- 7 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

/** A running fake, and what it was sent. */
export interface FakeCallsUpstream {
  /** Its realtime WebSocket URL (`ws://127.0.0.1:port/v1/realtime`): the relay's `UPSTREAM_URL`. */
  readonly url: string;
  readonly offers: { authorization: string | undefined; sdp: string; session: unknown }[];
  readonly hangups: { callId: string; authorization: string | undefined }[];
  readonly sidebands: {
    url: string;
    authorization: string | undefined;
    received: string[];
    ws: WebSocket;
  }[];
  /** The next offer is refused with this status and message. */
  refuseNext: { status: number; message: string } | undefined;
  close(): Promise<void>;
}

/** Reads an offer as the relay sends it: the multipart form, or raw SDP. */
async function readOffer(request: IncomingMessage): Promise<{ sdp: string; session: unknown }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return { sdp: body.toString(), session: undefined };
  const form = await new Request('http://fake.test/', {
    method: 'POST',
    headers: { 'content-type': type },
    body,
  }).formData();
  return {
    sdp: String(form.get('sdp')),
    session: form.has('session') ? JSON.parse(String(form.get('session'))) : undefined,
  };
}

/** Starts the fake on a free loopback port. */
export async function startFakeCallsUpstream(): Promise<FakeCallsUpstream> {
  const fake: FakeCallsUpstream = {
    url: '',
    offers: [],
    hangups: [],
    sidebands: [],
    refuseNext: undefined,
    close: async () => {},
  };
  const server = createServer(
    handleSafely(async (request, response) => {
      const hangup = /^\/v1\/realtime\/calls\/([^/]+)\/hangup$/.exec(request.url ?? '');
      if (hangup !== null) {
        fake.hangups.push({
          callId: hangup[1] as string,
          authorization: request.headers.authorization,
        });
        // The call ends: its sidebands are closed by the upstream.
        for (const sideband of fake.sidebands) sideband.ws.close(1000, 'call ended');
        response.writeHead(200).end();
        return;
      }
      const offer = await readOffer(request);
      fake.offers.push({ authorization: request.headers.authorization, ...offer });
      if (fake.refuseNext !== undefined) {
        const { status, message } = fake.refuseNext;
        fake.refuseNext = undefined;
        response
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { type: 'invalid_request_error', message } }));
        return;
      }
      response
        .writeHead(201, {
          'content-type': 'application/sdp',
          location: '/v1/realtime/calls/rtc_up1',
        })
        .end(ANSWER);
    }),
  );
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, request: IncomingMessage) => {
    const sideband = {
      url: request.url ?? '',
      authorization: request.headers.authorization,
      received: [] as string[],
      ws,
    };
    fake.sidebands.push(sideband);
    ws.on('message', (data) => sideband.received.push(String(data)));
    ws.send(
      JSON.stringify({
        type: 'session.created',
        event_id: 'event_1',
        session: { type: 'realtime', object: 'realtime.session', id: 'sess_up' },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(fake, {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}

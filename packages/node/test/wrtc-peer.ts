import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import wrtc from '@roamhq/wrtc';
import type { WebRtcStack } from '../src/calls/call-server.ts';

// The other side of a call for tests of the real stack: libwebrtc as Chromium runs it, from
// the same package, in this process or (to make it vanish) in a child.

interface Peer {
  readonly pc: InstanceType<typeof wrtc.RTCPeerConnection>;
  readonly offer: string;
}

/** A caller as a browser makes one: the `oai-events` channel and an audio track. */
export async function makeOffer(): Promise<Peer> {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  pc.createDataChannel('oai-events');
  const source = new wrtc.nonstandard.RTCAudioSource();
  pc.addTransceiver(source.createTrack(), { direction: 'sendrecv' });
  await pc.setLocalDescription(await pc.createOffer());
  return { pc, offer: pc.localDescription?.sdp ?? '' };
}

/** The addresses of the candidates `stack` answers an offer with (the call is then ended). */
export async function candidateAddresses(stack: WebRtcStack): Promise<string[]> {
  const peer = await makeOffer();
  try {
    const { sdp, transport } = await stack.answer(peer.offer);
    transport.close();
    const addresses = sdp
      .split(/\r?\n/)
      .filter((line) => line.startsWith('a=candidate:'))
      .map((line) => line.split(' ')[4] as string);
    return [...new Set(addresses)];
  } finally {
    peer.pc.close();
  }
}

/** A caller in a child process: connected to `stack`'s answer, and killable. */
export async function spawnPeer(
  stack: WebRtcStack,
): Promise<{ child: ChildProcess; answer: Awaited<ReturnType<WebRtcStack['answer']>> }> {
  const child = spawn(
    process.execPath,
    [new URL('./fixtures/wrtc-peer-process.mjs', import.meta.url).pathname],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
  const messages = lines[Symbol.asyncIterator]();
  const next = async () =>
    JSON.parse(String((await messages.next()).value)) as Record<string, string>;
  const { offer } = await next();
  const answer = await stack.answer(offer as string);
  child.stdin?.write(`${JSON.stringify({ answer: answer.sdp })}\n`);
  return { child, answer };
}

import { afterEach, describe, expect, it } from 'vitest';
import type { WebRtcStack } from '../src/calls/call-server.ts';
import type { CallTransportHandlers } from '../src/calls/call-socket.ts';
import { createWrtcStack } from '../src/calls/wrtc-stack.ts';
import { candidateAddresses, makeOffer, spawnPeer } from './wrtc-peer.ts';

// The real stack (libwebrtc through @roamhq/wrtc) against libwebrtc callers on loopback.

let stack: WebRtcStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Handlers that record what the transport reports. */
function recorder() {
  const seen = { open: false, gone: undefined as string | undefined, audio: 0 };
  const handlers: CallTransportHandlers = {
    open: () => {
      seen.open = true;
    },
    event: () => {},
    audio: (pcm) => {
      seen.audio += pcm.length;
    },
    gone: (reason) => {
      seen.gone = reason;
    },
  };
  return { seen, handlers };
}

async function until(condition: () => boolean, what: string, guardMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > guardMs) throw new Error(`waited ${guardMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('createWrtcStack', () => {
  it('answers with UDP host candidates on the configured address only', async () => {
    stack = await createWrtcStack({ address: '127.0.0.1' });
    expect(await candidateAddresses(stack)).toEqual(['127.0.0.1']);
  });

  it('ends a call whose caller never connects, after connectTimeoutMs', async () => {
    stack = await createWrtcStack({ connectTimeoutMs: 300 });
    const peer = await makeOffer();
    try {
      const { transport } = await stack.answer(peer.offer);
      const { seen, handlers } = recorder();
      transport.listen(handlers);
      // The caller never takes the answer.
      await until(() => seen.gone !== undefined, 'the call to end');
      expect(seen).toMatchObject({ open: false, gone: 'peer never connected' });
    } finally {
      peer.pc.close();
    }
  });

  it('ends a call whose caller vanishes (killed: no goodbye), once it has sent nothing for vanishedAfterMs', async () => {
    stack = await createWrtcStack({ address: '127.0.0.1', vanishedAfterMs: 3_000 });
    const { child, answer } = await spawnPeer(stack);
    try {
      const { seen, handlers } = recorder();
      answer.transport.listen(handlers);
      await until(() => seen.open && seen.audio > 48_000, 'the channel and 1 s of audio');
      // Connected and talking: alive past the vanishing time (a busy machine may stall the
      // caller a while; 3 s of nothing at all is not a stall).
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(seen.gone).toBeUndefined();
      const killedAt = Date.now();
      child.kill('SIGKILL');
      await until(() => seen.gone !== undefined, 'the call to end');
      expect(seen.gone).toBe('peer vanished');
      // A figure to read, not to assert: the check runs every 750 ms here.
      console.log(
        `a killed caller's call ended after ${Date.now() - killedAt} ms (vanishedAfterMs 3000)`,
      );
    } finally {
      child.kill('SIGKILL');
    }
  });
});

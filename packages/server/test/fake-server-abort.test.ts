import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { handleSafely } from '../../../test-support/http-handler.ts';

// The fake backends serve the cascade tests; a client that leaves mid-request (a cancelled
// stage) must not become an unhandled rejection that fails the whole run.
describe('handleSafely (the fakes’ request listener)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function listen(listener: Parameters<typeof createServer>[1]): Promise<number> {
    server = createServer(listener);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  it('drops a body read that fails because the client went away', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let arrived!: () => void;
      const requestArrived = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      let readFailed!: (error: unknown) => void;
      const failure = new Promise<unknown>((resolve) => {
        readFailed = resolve;
      });
      const port = await listen(
        handleSafely(async (request, response) => {
          arrived();
          try {
            for await (const _chunk of request);
          } catch (error) {
            readFailed(error);
            throw error;
          }
          response.end('read');
        }),
      );
      const client = connect(port, '127.0.0.1');
      client.write(
        'POST /v1/audio/speech HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123456789',
      );
      await requestArrived;
      client.destroy();
      expect(await failure).toBeInstanceOf(Error);
      // Unhandled rejections are reported once the microtasks after the failure have run.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('answers any other failure with a 500 that names it', async () => {
    const port = await listen(
      handleSafely(async () => {
        throw new Error('the script has no reply for this');
      }),
    );
    const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      body: '{}',
    });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: { message: 'fake server: the script has no reply for this' },
    });
  });
});

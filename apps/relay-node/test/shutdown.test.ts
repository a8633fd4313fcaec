import { afterEach, expect, it } from 'vitest';
import { connectClient, startFakeUpstream, stopAll, upgradeStatus } from './helpers.ts';
import { type SpawnedRelay, spawnRelay } from './spawn-relay.ts';

let relay: SpawnedRelay | undefined;
afterEach(async () => {
  relay?.child.kill('SIGKILL');
  relay = undefined;
  await stopAll();
});

it('on SIGTERM stops accepting, closes sessions with 1001 and exits within the bound', async () => {
  const upstream = await startFakeUpstream();
  relay = await spawnRelay({ UPSTREAM_URL: upstream.url, SHUTDOWN_TIMEOUT_MS: '2000' });
  const wsUrl = `${relay.url.replace(/^http/, 'ws')}/v1/realtime`;
  const clients = await Promise.all([connectClient(wsUrl), connectClient(wsUrl)]);
  await Promise.all(
    clients.map((client) => client.waitFor((event) => event.type === 'session.created')),
  );
  const upstreamClosed = upstream.sockets.map(
    (socket) => new Promise((resolve) => socket.once('close', resolve)),
  );

  const started = Date.now();
  relay.child.kill('SIGTERM');
  const closes = await Promise.all(clients.map((client) => client.closed));
  expect(closes.map((close) => close.code)).toEqual([1001, 1001]);
  await Promise.all(upstreamClosed);
  const exit = await relay.exited;
  expect(exit.code).toBe(0);
  expect(Date.now() - started).toBeLessThan(4000);
  await expect(upgradeStatus(wsUrl)).rejects.toThrow();
  expect(relay.output.join('')).toContain('"msg":"relay.stopped"');
});

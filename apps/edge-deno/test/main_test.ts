import { assert } from './assert.ts';
import { connect, disconnect } from './helpers.ts';

/** The `start` task's command, run directly: a signal to `deno task` would not reach it. */
async function startTaskArgs(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL('../deno.json', import.meta.url)));
  const [program, ...args] = String(config.tasks.start).split(/\s+/);
  assert.deepEqual(program, 'deno');
  return args;
}

Deno.test('deno task start serves the relay and drains on SIGTERM', async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: await startTaskArgs(),
    cwd: new URL('..', import.meta.url),
    env: { PORT: '0', SIM_PACE: 'fast' },
    stdout: 'piped',
    stderr: 'piped',
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = '';
  while (!/listening on http:\/\/127\.0\.0\.1:\d+/.test(output)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`relay exited early: ${output}`);
    output += value;
  }
  const port = /127\.0\.0\.1:(\d+)/.exec(output)?.[1];
  assert.match(
    output,
    /realtime endpoint ws:\/\/127\.0\.0\.1:\d+\/v1\/realtime, upstream simulator/,
  );
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.deepEqual(await health.json(), { status: 'ok', sessions: 0 });
  const client = await connect(`ws://127.0.0.1:${port}/v1/realtime?model=gpt-realtime`);
  await client.waitFor((event) => event.type === 'session.created');
  child.kill('SIGTERM');
  const closed = await client.closed;
  assert.deepEqual(closed.code, 1001);
  const status = await child.status;
  assert(status.success, `exit code ${status.code}`);
  reader.releaseLock();
  await child.stdout.cancel().catch(() => {});
  await child.stderr.cancel();
  await disconnect(client);
});

Deno.test('deno task start on a port in use says so and exits 1, with no stack trace', async () => {
  const holder = Deno.listen({ hostname: '127.0.0.1', port: 0 });
  try {
    const { port } = holder.addr as Deno.NetAddr;
    const result = await new Deno.Command(Deno.execPath(), {
      args: await startTaskArgs(),
      cwd: new URL('..', import.meta.url),
      env: { PORT: String(port) },
      stdout: 'piped',
      stderr: 'piped',
    }).output();
    const stderr = new TextDecoder().decode(result.stderr);
    assert.deepEqual(result.code, 1);
    assert.match(
      stderr,
      new RegExp(`rtwire edge relay: 127\\.0\\.0\\.1:${port} is already in use`),
    );
    assert(!/\n\s+at /.test(stderr), `a stack trace: ${stderr}`);
  } finally {
    holder.close();
  }
});

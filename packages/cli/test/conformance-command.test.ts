// `rtwire conformance` as a user runs it: flags, the progress line, the reports, exit status.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRelayFromEnv } from '@rtwire/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandOutput, runConformanceCommand } from '../src/conformance/index.ts';
import { type RelayServer, startRelayServer } from '../src/relay/index.ts';
import { type Fault, startFaultProxy } from './fault-proxy.ts';

let relay: RelayServer;
let url: string;
const folder = mkdtempSync(join(tmpdir(), 'rtwire-conformance-'));
beforeAll(async () => {
  const loaded = await loadRelayFromEnv(
    { PORT: '0', SHUTDOWN_TIMEOUT_MS: '1000', LOG_LEVEL: 'error', CALLS: 'off', SIM_PACE: 'fast' },
    { write: () => {} },
  );
  if (!loaded.ok) throw new Error('bad config');
  relay = await startRelayServer(loaded);
  url = `${relay.url.replace(/^http/, 'ws')}/v1/realtime`;
});
afterAll(async () => {
  await relay?.shutdown();
  rmSync(folder, { recursive: true, force: true });
});

/** Runs the command, collecting what it writes. */
async function run(args: string[], interactive = false) {
  let stdout = '';
  let stderr = '';
  const output: CommandOutput = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    interactive,
  };
  const status = await runConformanceCommand(args, output, {});
  return { status, stdout, stderr };
}

describe('rtwire conformance', () => {
  it('passes, with a line of progress per check and the report at the end', async () => {
    const { status, stdout, stderr } = await run([url, '--only', 'session.*,item.create']);
    expect(status).toBe(0);
    // Checks run side by side: the lines come as they end, numbered in that order.
    const lines = stderr.trim().split('\n');
    expect(lines.map((line) => line.replace(/^\[\d\/5\] /, '')).sort()).toEqual([
      '✓ item.create',
      '✓ session.created-first',
      '✓ session.update-echo',
      '✓ session.update-merge',
      '✓ session.update-refused-unchanged',
    ]);
    expect(lines.map((line) => line.slice(0, 5))).toEqual([
      '[1/5]',
      '[2/5]',
      '[3/5]',
      '[4/5]',
      '[5/5]',
    ]);
    expect(stdout).toContain(`rtwire conformance ${url}`);
    expect(stdout).toMatch(/5 checks: 5 passed, 0 failed, 0 skipped/);
    expect(stdout).toMatch(/latency, p50: session\.created \d+ ms \(5\)/);
  });

  it('rewrites one progress line on a terminal', async () => {
    const { stderr } = await run([url, '--only', 'session.created-first,item.create'], true);
    expect(stderr).not.toContain('\n');
    expect(stderr.split('\r').filter(Boolean).length).toBeGreaterThanOrEqual(2);
  });

  it('exits 1 when a check fails, the failure shown with what was expected and what came', async () => {
    const fault: Fault = {
      name: 'no event_id echo',
      toClient: (event) => {
        if (event.type === 'error') (event.error as Record<string, unknown>).event_id = null;
        return [event];
      },
    };
    const proxy = await startFaultProxy(url, fault);
    try {
      const junit = join(folder, 'report.xml');
      const { status, stdout } = await run([
        proxy.url,
        '--only',
        'error.cancel-none,error.commit-empty',
        '--skip',
        'error.commit-empty',
        '--junit',
        junit,
      ]);
      expect(status).toBe(1);
      expect(stdout).toContain('✗ error.cancel-none');
      expect(stdout).toContain('expected: event_id "event_conformance_');
      expect(stdout).toContain('received: null');
      expect(stdout).toMatch(/event: {4}\{"type":"error"/);
      expect(stdout).toMatch(/1 checks: 0 passed, 1 failed, 0 skipped/);
      const xml = readFileSync(junit, 'utf8');
      expect(xml).toContain(
        '<testsuites name="rtwire conformance" tests="1" failures="1" skipped="0"',
      );
      expect(xml).toMatch(
        /<testcase classname="conformance\.error" name="error\.cancel-none" time="[\d.]+">\n {4}<failure message="expected event_id &#34;event_conformance_\d+&#34; echoed">/,
      );
    } finally {
      await proxy.close();
    }
  });

  it('--json prints the report alone on stdout', async () => {
    const { status, stdout, stderr } = await run([url, '--only', 'response.text', '--json']);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      ok: true,
      passed: 1,
      failed: 0,
      results: [{ id: 'response.text', status: 'passed' }],
    });
    expect(report.latency['first text delta'].count).toBe(1);
  });

  it('reports skips with why, and they do not fail the run', async () => {
    const { status, stdout } = await run([url, '--only', 'response.audio-pcm', '--no-audio']);
    expect(status).toBe(0);
    expect(stdout).toContain('skipped:  the server has no audio (--no-audio)');
  });

  it('exits 2 on bad usage, naming what is wrong', async () => {
    expect((await run([])).status).toBe(2);
    expect((await run(['http://127.0.0.1:1/'])).stderr).toContain('expected a ws:// or wss:// URL');
    const unknown = await run([url, '--only', 'session.nope']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no check or group named session.nope');
    const flag = await run([url, '--frobnicate']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('--frobnicate');
    expect((await run([url, '--timeout', '-5'])).stderr).toContain('--timeout');
  });

  it('--list names every check, --help every option', async () => {
    const list = await run(['--list']);
    expect(list.status).toBe(0);
    expect(list.stdout.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(50);
    const help = await run(['--help']);
    for (const option of [
      '--api-key',
      '--model',
      '--header',
      '--only',
      '--skip',
      '--timeout',
      '--json',
      '--junit',
    ]) {
      expect(help.stdout).toContain(option);
    }
  });
});

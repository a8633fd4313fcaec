import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadToolsModule } from '../src/tools-module.ts';

const dir = mkdtempSync(join(tmpdir(), 'rtwire-tools-'));
const file = join(dir, 'tools.mjs');
writeFileSync(
  file,
  `export async function lookup_order({ order }, { callId, tenant, signal }) {
     return { order, callId, tenant, aborted: signal.aborted };
   }
   export const notATool = 42;
   export default function unnamed() { return 'default'; }
  `,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const call = {
  name: 'lookup_order',
  arguments: { order: 'A-1' },
  callId: 'call_1',
  session: 'sess_1',
  tenant: 'acme',
};

describe('loadToolsModule', () => {
  it('makes each exported function a handler that gets the arguments and the call', async () => {
    const handlers = await loadToolsModule(file);
    expect(Object.keys(handlers).sort()).toEqual(['default', 'lookup_order']);
    const output = await handlers.lookup_order?.(call, new AbortController().signal);
    expect(output).toEqual({ order: 'A-1', callId: 'call_1', tenant: 'acme', aborted: false });
  });

  it('resolves a relative path against the directory given, and a file: URL as it is', async () => {
    const viaRelative = await loadToolsModule('./tools.mjs', dir);
    expect(typeof viaRelative.lookup_order).toBe('function');
    const fromCwd = relative(process.cwd(), file);
    const viaCwd = await loadToolsModule(
      fromCwd.startsWith('.') ? fromCwd : `./${fromCwd}`,
      process.cwd(),
    );
    expect(typeof viaCwd.lookup_order).toBe('function');
    const viaUrl = await loadToolsModule(new URL(`file://${file}`).href);
    expect(typeof viaUrl.lookup_order).toBe('function');
  });

  it('rejects a module that does not exist', async () => {
    await expect(loadToolsModule(join(dir, 'missing.mjs'))).rejects.toThrow();
  });
});

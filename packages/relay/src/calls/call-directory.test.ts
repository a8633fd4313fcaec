import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRelayConfig } from '../config/relay-config.ts';
import { callInstanceOf, createCallDirectory } from './call-directory.ts';

describe('call ids that name the instance holding the call', () => {
  it('reads back the instance from every id it makes (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9-]{1,63}$/), (instanceId) => {
        const directory = createCallDirectory({ instanceId });
        const id = directory.newCallId();
        expect(id).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
        expect(callInstanceOf(id)).toBe(instanceId);
      }),
    );
  });

  it('names no instance in an id it did not make, and refuses a name with `_`', () => {
    expect(callInstanceOf('rtc_0123456789abcdef0123456789abcdef')).toBeUndefined();
    expect(callInstanceOf('rtc_a_b_0123456789abcdef0123456789abcdef')).toBeUndefined();
    expect(() => createCallDirectory({ instanceId: 'a_b' })).toThrow(/instanceId/);
  });

  it('without a registry finds no instance, however the id reads', async () => {
    const directory = createCallDirectory({ instanceId: 'a' });
    const other = createCallDirectory({ instanceId: 'b' }).newCallId();
    expect(await directory.locate(other)).toBeUndefined();
    expect(await directory.locate(directory.newCallId())).toBeUndefined();
  });

  it('never asks the registry about its own calls, and finds nothing when it fails', async () => {
    const asked: string[][] = [];
    const directory = createCallDirectory({
      instanceId: 'a',
      registry: {
        command: async (args) => {
          asked.push(args);
          if (args[0] === 'GET') throw new Error('unreachable');
          return 'OK';
        },
        url: new URL('http://10.0.0.5:8787'),
      },
    });
    expect(await directory.locate(directory.newCallId())).toBeUndefined();
    expect(asked.filter((args) => args[0] === 'GET')).toEqual([]);
    const other = createCallDirectory({ instanceId: 'b' }).newCallId();
    expect(await directory.locate(other)).toBeUndefined();
    await directory.close();
    expect(asked[0]).toEqual(['SET', 'rtwire:{i:a}:url', 'http://10.0.0.5:8787', 'PX', '30000']);
    expect(asked.at(-1)).toEqual(['DEL', 'rtwire:{i:a}:url']);
  });

  it('takes from the registry only an http(s) origin', async () => {
    const answers = [
      'ftp://10.0.0.6/',
      'javascript:alert(1)',
      'not a url',
      'https://10.0.0.6:8443/x?y',
    ];
    const directory = createCallDirectory({
      instanceId: 'a',
      registry: {
        command: async (args) => (args[0] === 'GET' ? answers.shift() : 'OK'),
        url: new URL('http://10.0.0.5:8787'),
      },
    });
    const other = createCallDirectory({ instanceId: 'b' }).newCallId();
    expect(await directory.locate(other)).toBeUndefined();
    expect(await directory.locate(other)).toBeUndefined();
    expect(await directory.locate(other)).toBeUndefined();
    expect((await directory.locate(other))?.href).toBe('https://10.0.0.6:8443/');
    await directory.close();
  });
});

describe('RELAY_INSTANCE_ID and RELAY_INSTANCE_URL', () => {
  it('reads both, and names a bad one without echoing it', () => {
    const good = parseRelayConfig({
      RELAY_INSTANCE_ID: 'relay-2',
      RELAY_INSTANCE_URL: 'http://10.0.0.5:8787',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(good.ok && good.config.instanceId).toBe('relay-2');
    expect(good.ok && good.config.instanceUrl?.href).toBe('http://10.0.0.5:8787/');
    const bad = parseRelayConfig({
      RELAY_INSTANCE_ID: 'relay_secret',
      RELAY_INSTANCE_URL: 'ftp://x',
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.map((error) => error.variable).sort()).toEqual([
      'RELAY_INSTANCE_ID',
      'RELAY_INSTANCE_URL',
    ]);
    expect(JSON.stringify(bad.errors)).not.toContain('relay_secret');
    const lonely = parseRelayConfig({ RELAY_INSTANCE_URL: 'http://10.0.0.5:8787' });
    expect(!lonely.ok && lonely.errors[0]?.message).toMatch(/REDIS_URL/);
  });
});

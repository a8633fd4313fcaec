import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRelayConfig } from '../config/relay-config.ts';
import { createJsonLineLogger, createRelayLogger } from './json-line-logger.ts';
import { createRedactingLogger } from './relay-logger.ts';

function hostileFields(): Record<string, unknown>[] {
  const cycle: Record<string, unknown> = { name: 'loop' };
  cycle.self = cycle;
  let deep: unknown = 'bottom';
  for (let index = 0; index < 100_000; index++) deep = [deep];
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  return [
    { cycle },
    { deep },
    { big: 10n },
    {
      get boom() {
        throw new Error('getter');
      },
    },
    { proxy: revocable.proxy },
    {
      toJSON() {
        throw new Error('toJSON');
      },
    },
    { huge: 'x'.repeat(1 << 22) },
  ];
}

describe('createJsonLineLogger', () => {
  it('never throws, and still writes a line saying what happened', () => {
    const lines: string[] = [];
    const logger = createJsonLineLogger((line) => lines.push(line));
    for (const fields of hostileFields()) logger.log('info', 'session.close', fields);
    expect(lines).toHaveLength(7);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ msg: 'session.close' });
    expect(JSON.parse(lines[0] as string)).toMatchObject({ log_error: 'unserializable fields' });
  });

  it('survives a sink that throws', () => {
    const logger = createJsonLineLogger(() => {
      throw new Error('EPIPE');
    });
    expect(() => logger.log('error', 'x', {})).not.toThrow();
  });

  it('never throws through the redacting logger the relay runs with, for any fields', () => {
    const config = parseRelayConfig({ LOG_LEVEL: 'debug', RELAY_TOKENS: 'tok-123456' });
    if (!config.ok) throw new Error('config');
    const lines: string[] = [];
    const logger = createRelayLogger(config.config, (line) => lines.push(line));
    for (const fields of hostileFields()) logger.log('debug', 'client.event', { event: fields });
    fc.assert(
      fc.property(fc.anything(), (value) => {
        logger.log('debug', 'client.event', { event: value, token: 'tok-123456' });
      }),
      { numRuns: 2000 },
    );
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain('tok-123456');
    }
  });

  it('masks secrets past the depth it cleans by not writing what is deeper', () => {
    const records: unknown[] = [];
    const logger = createRedactingLogger(
      { log: (_level, _message, fields) => records.push(fields) },
      { secrets: ['sk-deep-secret'] },
    );
    let nested: unknown = { key: 'sk-deep-secret' };
    for (let index = 0; index < 20; index++) nested = { nested };
    logger.log('info', 'x', { nested });
    expect(JSON.stringify(records)).not.toContain('sk-deep-secret');
  });
});

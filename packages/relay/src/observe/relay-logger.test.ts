import { expect, it } from 'vitest';
import { createRedactingLogger, type LogFields } from './relay-logger.ts';

it('masks secrets in messages and nested fields, and filters by level', () => {
  const records: { level: string; message: string; fields: LogFields | undefined }[] = [];
  const logger = createRedactingLogger(
    { log: (level, message, fields) => records.push({ level, message, fields }) },
    { minimum: 'info', secrets: ['sk-live-abcdef', undefined] },
  );
  logger.log('debug', 'dropped');
  logger.log('warn', 'failed with sk-live-abcdef', {
    error: { text: 'Bearer sk-live-abcdef' },
    count: 1,
  });
  expect(records).toHaveLength(1);
  expect(JSON.stringify(records)).not.toContain('sk-live-abcdef');
  expect(records[0]?.fields).toEqual({ error: { text: 'Bearer [redacted secret]' }, count: 1 });
  expect(logger.enabled('debug')).toBe(false);
});

import type { Check } from './check.ts';

/** Where the catalogue sits in the package README, between these two lines. */
export const CATALOGUE_START =
  '<!-- catalogue: written by `pnpm --filter @rtwire/cli catalogue` -->';
/** The line after the catalogue. */
export const CATALOGUE_END = '<!-- catalogue end -->';

const GROUPS: Readonly<Record<string, string>> = {
  session: 'Session lifecycle',
  item: 'Conversation items',
  response: 'Responses',
  'input-audio': 'Input audio',
  transcription: 'Input transcription',
  function: 'Function calls',
  error: 'Errors of invalid client events',
  events: 'The whole run',
  responses: 'The whole run',
};

const cell = (text: string) => text.replaceAll('|', '\\|');

/**
 * The check catalogue as Markdown, a table per group: id, what it checks, what it needs and
 * the spec schemas it follows. The package README holds it, rewritten from the suite, so the
 * two cannot disagree (a test compares them).
 *
 * @example
 * ```ts
 * const markdown = catalogueMarkdown(conformanceChecks(createSpecValidator()));
 * ```
 */
export function catalogueMarkdown(checks: readonly Check[]): string {
  const sections = new Map<string, Check[]>();
  for (const check of checks) {
    const group = GROUPS[check.id.split('.')[0] ?? ''] ?? 'Other';
    sections.set(group, [...(sections.get(group) ?? []), check]);
  }
  const lines: string[] = [];
  for (const [title, group] of sections) {
    lines.push(
      `#### ${title}`,
      '',
      '| id | what it checks | needs | spec |',
      '| --- | --- | --- | --- |',
    );
    for (const check of group) {
      const needs = check.needs?.join(', ') ?? '';
      const spec = check.spec.map((name) => `\`${name}\``).join(', ');
      lines.push(`| \`${check.id}\` | ${cell(check.description)} | ${needs} | ${spec} |`);
    }
    lines.push('');
  }
  return `${CATALOGUE_START}\n\n${lines.join('\n')}${CATALOGUE_END}`;
}

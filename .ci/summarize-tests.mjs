// Sums the per-suite vitest totals of a CI log into one closing line, `N passed, N failed`,
// so a reader (or a tool) sees the whole run's count without scrolling through every package.
import { readFileSync } from 'node:fs';

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes is the point
const log = readFileSync(process.argv[2], 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const match of log.matchAll(/^.*\bTests\s+(.+)\(\d+\)\s*$/gm)) {
  const counts = match[1];
  passed += Number(/(\d+) passed/.exec(counts)?.[1] ?? 0);
  failed += Number(/(\d+) failed/.exec(counts)?.[1] ?? 0);
  skipped += Number(/(\d+) skipped/.exec(counts)?.[1] ?? 0);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);

// Reading are-the-types-wrong's JSON report.
import { lastLines } from './process.mjs';

/**
 * ESM only: Node ≥ 20.19 (the engines floor) loads it through require(), so the
 * node16-from-CommonJS "resolves to ESM" finding does not apply; node10 is obsolete.
 */
export const IGNORED_RESOLUTIONS = ['node10', 'node16-cjs'];

/**
 * Judges `attw --format json` output: passes when attw exited 0 and every problem left is
 * under an ignored resolution; otherwise names each problem once.
 * @param {import('./process.mjs').CommandResult} result
 * @returns {import('./report.mjs').CheckResult}
 */
export function judgeAttw(result) {
  /** @type {{ kind: string, entrypoint?: string, resolutionKind?: string }[]} */
  let problems;
  try {
    problems = JSON.parse(result.stdout).analysis.problems ?? [];
  } catch {
    return { ok: false, detail: lastLines(result) };
  }
  const counted = problems.filter((p) => !IGNORED_RESOLUTIONS.includes(p.resolutionKind ?? ''));
  if (result.code === 0 && counted.length === 0) return { ok: true, detail: 'profile esm-only' };
  const described = counted.map(
    (p) => `${p.kind} at "${p.entrypoint ?? '.'}" (${p.resolutionKind ?? 'any'})`,
  );
  return { ok: false, detail: [...new Set(described)].join('; ') || lastLines(result) };
}

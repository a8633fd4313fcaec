// The one-line-per-package-and-check report, and the rule that a failed check skips the rest.
import { firstLine, mapLimited } from './process.mjs';

/** @typedef {{ ok: boolean, skipped?: boolean, detail?: string | undefined }} CheckResult */

/**
 * @template {{ name: string }} P
 * @typedef {object} Report
 * @property {(name: string, check: string, result: CheckResult) => void} record prints one line
 * @property {(check: string, run: (pkg: P) => Promise<CheckResult>, behaviour?: { fatal?: boolean }) => Promise<void>} phase
 *   runs `check` for every package still standing, in parallel, printing results in order
 * @property {(name: string, reason: string) => void} markBroken skips the package's later checks
 * @property {(name: string) => boolean} isBroken
 * @property {() => { checks: number, passed: number, failed: number, skipped: number }} totals
 */

/**
 * A report over `packages`. A check skipped because an earlier one failed prints `-`: that
 * earlier failure already fails the run. A check that throws fails with the error's first
 * line. A failure in a `fatal` phase (the default) skips the package's later checks.
 * @template {{ name: string }} P
 * @param {readonly P[]} packages
 * @param {(line: string) => void} [print]
 * @returns {Report<P>}
 */
export function createReport(packages, print = console.log) {
  const nameWidth = Math.max(0, ...packages.map((p) => p.name.length));
  /** @type {Map<string, string>} why a package's remaining checks are skipped */
  const broken = new Map();
  let checks = 0;
  let failed = 0;
  let skipped = 0;

  /** @type {Report<P>['record']} */
  const record = (name, check, result) => {
    checks++;
    if (result.skipped) skipped++;
    else if (!result.ok) failed++;
    const mark = result.skipped ? '-' : result.ok ? '✓' : '✗';
    const detail = result.detail ? (result.ok ? ` (${result.detail})` : `: ${result.detail}`) : '';
    print(`${mark} ${name.padEnd(nameWidth)}  ${check}${detail}`);
  };

  return {
    record,
    async phase(check, runCheck, { fatal = true } = {}) {
      const results = await mapLimited(packages, async (pkg) => {
        const reason = broken.get(pkg.name);
        if (reason !== undefined) return { ok: false, skipped: true, detail: `skipped, ${reason}` };
        try {
          return await runCheck(pkg);
        } catch (error) {
          return { ok: false, detail: firstLine(error) };
        }
      });
      packages.forEach((pkg, index) => {
        const result = /** @type {CheckResult} */ (results[index]);
        record(pkg.name, check, result);
        if (!result.ok && fatal && !broken.has(pkg.name)) broken.set(pkg.name, `${check} failed`);
      });
    },
    markBroken(name, reason) {
      if (!broken.has(name)) broken.set(name, reason);
    },
    isBroken: (name) => broken.has(name),
    totals: () => ({ checks, passed: checks - failed - skipped, failed, skipped }),
  };
}

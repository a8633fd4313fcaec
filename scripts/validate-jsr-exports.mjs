#!/usr/bin/env node
// Fails when a public package's jsr.json disagrees with its package.json: a missing or extra
// export, an export built from another source file, or another name or version. A package that
// is not on JSR (NOT_ON_JSR in lib/jsr-exports.mjs, with its reason) must have no jsr.json.
//   node scripts/validate-jsr-exports.mjs                  check every public package
//   node scripts/validate-jsr-exports.mjs --sync-versions  first copy versions into jsr.json
//   node scripts/validate-jsr-exports.mjs --root <dir>     check another checkout (tests)
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { jsrExportProblems, notOnJsr, syncJsrVersion } from './lib/jsr-exports.mjs';
import { listPublicPackages, repoRoot } from './lib/workspace.mjs';

const { values } = parseArgs({
  options: { root: { type: 'string' }, 'sync-versions': { type: 'boolean' } },
});
const root = values.root ? resolve(values.root) : repoRoot;

const packages = listPublicPackages(root);
const width = Math.max(...packages.map((pkg) => pkg.name.length));
let failed = 0;
for (const pkg of packages) {
  if (values['sync-versions'] && syncJsrVersion(pkg.dir)) {
    console.log(`jsr.json: ${pkg.name} version set to ${pkg.version}`);
  }
  const problems = jsrExportProblems(pkg.dir);
  for (const problem of problems) console.log(`✗ ${pkg.name.padEnd(width)}  jsr.json: ${problem}`);
  const excluded = notOnJsr(pkg.name);
  if (problems.length > 0) failed++;
  else if (excluded !== undefined)
    console.log(`✓ ${pkg.name.padEnd(width)}  jsr.json: none, not on JSR (${excluded})`);
  else console.log(`✓ ${pkg.name.padEnd(width)}  jsr.json`);
}
if (failed > 0)
  console.error(`validate-jsr-exports: ${failed} jsr.json file(s) disagree with package.json`);
process.exit(failed > 0 ? 1 : 0);

// What must hold inside a packed tarball before it is published.

/**
 * Every way a tarball's files fall short: a package.json other than the workspace's, a
 * `workspace:` range left unreplaced or an internal dependency not pinned to the exact
 * version released with it (the fixed group releases them together), a missing README or
 * LICENSE, or shipped tests.
 * @param {{ name: string, version: string }} pkg
 * @param {Map<string, Buffer>} files tarball paths without the leading `package/`
 * @param {Map<string, string>} workspaceVersions every public package's version, by name
 * @returns {string[]}
 */
export function packedProblems(pkg, files, workspaceVersions) {
  const manifestBytes = files.get('package.json');
  if (!manifestBytes) return ['no package.json in the tarball'];
  /** @type {string[]} */
  const problems = [];
  const manifest = JSON.parse(manifestBytes.toString('utf8'));
  if (manifest.name !== pkg.name || manifest.version !== pkg.version) {
    problems.push(
      `packed as ${manifest.name}@${manifest.version}, expected ${pkg.name}@${pkg.version}`,
    );
  }
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      const expected = workspaceVersions.get(dep);
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${dep} is ${range}`);
      else if (expected !== undefined && range !== expected) {
        problems.push(`${field}.${dep} is ${range}, expected exactly ${expected}`);
      }
    }
  }
  for (const required of ['README.md', 'LICENSE']) {
    if (!files.has(required)) problems.push(`${required} missing`);
  }
  const tests = [...files.keys()].filter((file) =>
    /\.test(-d)?\.|(^|\/)(test|tests|__tests__)\//.test(file),
  );
  if (tests.length > 0) problems.push(`ships tests: ${tests.slice(0, 3).join(', ')}`);
  return problems;
}

// What must hold inside a packed tarball before it is published.

/**
 * Every way a tarball's files fall short: a package.json other than the workspace's, a
 * `workspace:` range left unreplaced or an internal dependency not pinned to the exact
 * version released with it (the fixed group releases them together), a missing README or
 * LICENSE, shipped tests, or a source map that points at a file the tarball does not hold.
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
  // A source map must lead somewhere: a stack trace or "go to definition" through it has to
  // land on a file the tarball holds.
  for (const [file, bytes] of files) {
    if (!file.endsWith('.map')) continue;
    /** @type {{ sources?: unknown, sourceRoot?: unknown }} */
    let map;
    try {
      map = JSON.parse(bytes.toString('utf8'));
    } catch {
      problems.push(`${file} is not JSON`);
      continue;
    }
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    const root = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
    for (const source of Array.isArray(map.sources) ? map.sources : []) {
      const target = normalize(`${dir}${root}${source}`);
      if (!files.has(target)) {
        problems.push(`${file} maps to ${target}, which is not in the tarball`);
        break;
      }
    }
  }
  return problems;
}

/**
 * A relative path with its `.` and `..` segments resolved.
 * @param {string} path
 */
function normalize(path) {
  /** @type {string[]} */
  const parts = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { isDataSubpath, listPublicPackages } from '../lib/workspace.mjs';

/** The source file of each entry point of a package (`./dist/x.js` is built from `src/x.ts`). */
function entrySources(dir: string, manifest: { exports?: Record<string, unknown> }): string[] {
  const sources: string[] = [];
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (isDataSubpath(subpath)) continue;
    const built = typeof target === 'string' ? target : (target as { default?: string }).default;
    if (built === undefined) continue;
    sources.push(join(dir, built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')));
  }
  return sources;
}

/** Every export of `entry` with what its TSDoc lacks: any comment at all, or an `@example`. */
function undocumented(entry: string): string[] {
  const program = ts.createProgram([entry], {
    allowImportingTsExtensions: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const module = source && checker.getSymbolAtLocation(source);
  if (module === undefined) return [`${entry}: not a module`];
  const problems: string[] = [];
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const comment = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    const isValue =
      (symbol.flags &
        (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Variable)) !==
      0;
    if (comment === '') problems.push(`${exported.name}: no TSDoc`);
    else if (isValue && !symbol.getJsDocTags(checker).some((tag) => tag.name === 'example')) {
      problems.push(`${exported.name}: no @example`);
    }
  }
  return problems;
}

describe('every export of every public package', () => {
  for (const pkg of listPublicPackages()) {
    it(`${pkg.name}: has TSDoc, and an @example when it is a value`, () => {
      const problems = entrySources(pkg.dir, pkg.manifest).flatMap(undocumented);
      expect(problems).toEqual([]);
    });
  }
});

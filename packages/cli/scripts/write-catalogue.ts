// Rewrites the check catalogue in the package README from the suite (`pnpm catalogue`);
// test/catalogue.test.ts fails when the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { conformanceChecks } from '../src/conformance/catalogue.ts';
import {
  CATALOGUE_END,
  CATALOGUE_START,
  catalogueMarkdown,
} from '../src/conformance/catalogue-markdown.ts';
import { createSpecValidator } from '../src/conformance/spec-validator.ts';

const readmeUrl = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');
const start = readme.indexOf(CATALOGUE_START);
const end = readme.indexOf(CATALOGUE_END);
if (start < 0 || end < start) throw new Error('README.md has no catalogue markers');
const catalogue = catalogueMarkdown(conformanceChecks(createSpecValidator()));
writeFileSync(
  readmeUrl,
  readme.slice(0, start) + catalogue + readme.slice(end + CATALOGUE_END.length),
);

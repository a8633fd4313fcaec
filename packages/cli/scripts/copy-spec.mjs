// The conformance suite validates every server event against the official spec, which it
// ships beside its code: copied at build from the repository's spec/, the one the types are
// generated from, so the two cannot disagree.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, '..', 'dist', 'spec', 'realtime-schemas.json');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(join(here, '..', '..', '..', 'spec', 'realtime-schemas.json'), target);

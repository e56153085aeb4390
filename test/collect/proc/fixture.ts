import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/proc');

export function fixture(rel: string): string {
  return readFileSync(join(FIXTURES, rel), 'utf8');
}

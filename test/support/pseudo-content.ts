import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENT_DIR, LOCALES_DIR } from '../../src/paths';
import { writePseudoLocale } from '../../scripts/pseudo-locale';

export const PSEUDO = 'qps-ploc';

export interface PseudoContent {
  contentDir: string;
  localesDir: string;
  remove(): void;
}

/**
 * Copies of content/ and locales/ in a temporary folder, with the pseudo-locale qps-ploc written
 * into them from the default language by scripts/pseudo-locale.ts: a language added as data alone.
 */
export function pseudoContent(): PseudoContent {
  const root = mkdtempSync(join(tmpdir(), 'ag-pseudo-'));
  const contentDir = join(root, 'content');
  const localesDir = join(root, 'locales');
  cpSync(CONTENT_DIR, contentDir, { recursive: true });
  cpSync(LOCALES_DIR, localesDir, { recursive: true });
  writePseudoLocale({ contentDir, localesDir, tag: PSEUDO });
  return { contentDir, localesDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

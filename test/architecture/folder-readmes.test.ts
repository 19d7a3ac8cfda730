import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Every folder says what lives there and what may import it. A language's own folders
 * (`content/<tag>/`, `locales/<tag>/`) are the exception: they hold one language's copy of data
 * that `content/README.md` and `locales/README.md` describe once for all languages, and a new
 * language must not need a README written first.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const LANGUAGE_FOLDER = /^(content|locales)\/[a-z]{2,3}(-[A-Za-z0-9]+)+$/;

function trackedFolders(): string[] {
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  const folders = new Set<string>();
  for (const file of files) {
    for (let dir = path.posix.dirname(file); dir !== '.'; dir = path.posix.dirname(dir)) folders.add(dir);
  }
  return [...folders].sort();
}

describe('every folder has a README', () => {
  const folders = trackedFolders();

  it('finds the tree (the check is not vacuous)', () => {
    expect(folders).toEqual(expect.arrayContaining(['src/understanding', 'test/support', 'dialogs']));
  });

  it.each(folders.filter((f) => !LANGUAGE_FOLDER.test(f)))('%s/README.md', (folder) => {
    expect(existsSync(path.join(ROOT, folder, 'README.md'))).toBe(true);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLanguages } from '../../src/i18n/languages';
import { EXPANSION } from '../../scripts/pseudo-locale';
import { PSEUDO, pseudoContent } from '../support/pseudo-content';
import { describeEveryPath } from './every-path';

/**
 * A language added as data alone: qps-ploc, written by scripts/pseudo-locale.ts into copies of
 * content/ and locales/, with no code change. Every path of the model-based test is walked in it.
 */
const pseudo = pseudoContent();
afterAll(() => pseudo.remove());

describe('the pseudo-locale as data', () => {
  test('its row is in the copied table, after the real languages, and the real table is untouched', () => {
    expect(loadLanguages(pseudo.contentDir).tags).toEqual([...loadLanguages().tags, PSEUDO]);
    expect(loadLanguages().tags).not.toContain(PSEUDO);
    expect(loadLanguages(pseudo.contentDir).row(PSEUDO)).toMatchObject({ nlp: 'en', webChat: 'en-US' });
  });

  test('its strings are accented, about 30 % longer, and keep placeholders, Markdown and URLs', () => {
    const read = (dir: string, locale: string) => JSON.parse(readFileSync(join(dir, locale, 'common.json'), 'utf8'));
    const source = read(pseudo.localesDir, loadLanguages().defaultTag);
    const made = read(pseudo.localesDir, PSEUDO);
    expect(made.notice.didYouMean).toContain('{{a}}');
    expect(made.notice.didYouMean).toContain('{{b}}');
    expect(made.notice.didYouMean).toMatch(/\*\*\{\{a\}\}\*\*/);
    expect(made.notice.didYouMean).not.toMatch(/[a-z]{3}/);
    const growth = made.notice.help.length / source.notice.help.length - 1;
    expect(growth).toBeGreaterThanOrEqual(EXPANSION - 0.05);
    expect(growth).toBeLessThan(EXPANSION + 0.15);
    const guide = readFileSync(join(pseudo.contentDir, PSEUDO, 'guide.json'), 'utf8');
    expect(guide).toContain('](https://setup.microsoft365.com)');
  });
});

describeEveryPath({ contentDir: pseudo.contentDir, localesDir: pseudo.localesDir, locales: [PSEUDO] });

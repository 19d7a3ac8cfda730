import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { loadLanguages, NLP_MODULES } from '../../src/i18n/languages';
import { createStrings, readLocaleFiles } from '../../src/i18n/strings';
import { CONTENT_DIR, LOCALES_DIR } from '../../src/paths';

/** The language table (content/languages.json): every per-language fact, read and checked once. */
const languages = loadLanguages();

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
/** A content folder holding only this languages.json. */
function tableIn(table: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'ag-languages-'));
  scratch.push(dir);
  writeFileSync(join(dir, 'languages.json'), JSON.stringify(table));
  return dir;
}
const row = (tag: string, names: Record<string, string> = { [tag]: tag }) => ({ tag, names, nlp: 'en', webChat: 'en-US' });

describe('the shipped language table', () => {
  test('names every language in itself, with a known nlp.js package, and the default is one of them', () => {
    expect(languages.tags.length).toBeGreaterThanOrEqual(2);
    expect(languages.tags).toContain(languages.defaultTag);
    for (const tag of languages.tags) {
      expect(languages.row(tag).names[tag]).toBeTruthy();
      expect(NLP_MODULES).toContain(languages.row(tag).nlp);
      // Every other language names it too (the case summary says "Language: …" in the reader's language).
      for (const other of languages.tags) expect({ tag, other, named: Boolean(languages.row(tag).names[other]) }).toEqual({ tag, other, named: true });
    }
  });

  test('a channel\'s or browser\'s tag finds the language: exact, then the same primary language, then the default', () => {
    for (const tag of languages.tags) {
      expect(languages.fromChannel(tag)).toBe(tag);
      expect(languages.fromChannel(tag.toLowerCase().replace('-', '_'))).toBe(tag);
      expect(languages.fromChannel(`${tag.split('-')[0]}-ZZ`)).toBe(tag);
      expect(languages.negotiate(`xx-XX, ${tag};q=0.5`)).toBe(tag);
    }
    expect(languages.fromChannel('xx-XX')).toBe(languages.defaultTag);
    expect(languages.fromChannel(undefined)).toBe(languages.defaultTag);
    expect(languages.negotiate(undefined)).toBe(languages.defaultTag);
    expect(languages.has('xx-XX')).toBe(false);
    expect(languages.has(42)).toBe(false);
  });
});

describe('a wrong table stops the start, naming the file and the field', () => {
  test.each([
    ['a language listed twice', { default: 'en-US', languages: [row('en-US'), row('en-US')] }, /languages\.1\.tag: en-US is listed twice/],
    ['a default that is not one of them', { default: 'de-DE', languages: [row('en-US')] }, /default: de-DE is not one of the languages/],
    ['no name in itself', { default: 'en-US', languages: [row('en-US', { 'nl-NL': 'Engels' })] }, /needs the name of en-US in itself/],
    ['a name in a language the table lacks', { default: 'en-US', languages: [row('en-US', { 'en-US': 'English', 'fr-FR': 'Anglais' })] }, /names\.fr-FR: fr-FR is not one of the languages/],
    ['an nlp.js package we do not ship', { default: 'en-US', languages: [{ ...row('en-US'), nlp: 'de' }] }, /languages\.0\.nlp/],
    ['a tag that is no language tag', { default: 'english', languages: [row('english')] }, /must be a language tag/],
  ])('%s', (_name, table, message) => {
    const dir = tableIn(table);
    expect(() => loadLanguages(dir)).toThrow(message);
    expect(() => loadLanguages(dir)).toThrow(/languages\.json/);
  });

  test('a language of the table without its locale files', () => {
    const dir = tableIn({ default: 'en-US', languages: [...languages.tags.map((t) => languages.row(t)), row('fr-FR', { 'fr-FR': 'Français' })] });
    const locales = mkdtempSync(join(tmpdir(), 'ag-locales-'));
    scratch.push(locales);
    cpSync(LOCALES_DIR, locales, { recursive: true });
    mkdirSync(join(locales, 'fr-FR'));
    writeFileSync(join(locales, 'fr-FR', 'common.json'), '{}');
    const table = loadLanguages(dir);
    expect(() => createStrings(table, readLocaleFiles(locales, table))).toThrow(/locales\/fr-FR lacks .*webchat\.json/);
  });
});

describe('CONTENT_DIR and LOCALES_DIR', () => {
  test('default to the folders shipped with the code', () => {
    const config = loadConfig({});
    expect(config.contentDir).toBe(CONTENT_DIR);
    expect(config.localesDir).toBe(LOCALES_DIR);
  });

  test('are read from the environment, made absolute, and must exist', () => {
    const dir = tableIn({ default: 'en-US', languages: [row('en-US')] });
    expect(loadConfig({ CONTENT_DIR: dir, LOCALES_DIR: dir }).contentDir).toBe(dir);
    expect(() => loadConfig({ CONTENT_DIR: join(dir, 'missing') })).toThrow(ConfigError);
    try {
      loadConfig({ LOCALES_DIR: join(dir, 'missing') });
    } catch (err) {
      expect((err as ConfigError).message).toMatch(/LOCALES_DIR: must be an existing directory/);
    }
    expect.assertions(3);
  });

  test('an empty value means the default', () => {
    expect(loadConfig({ CONTENT_DIR: '', LOCALES_DIR: '' }).contentDir).toBe(CONTENT_DIR);
  });
});

// The table is read from CONTENT_DIR itself, not a fixed path.
test('the shipped table is the one in CONTENT_DIR', () => {
  expect(loadLanguages(CONTENT_DIR)).toBe(languages);
});

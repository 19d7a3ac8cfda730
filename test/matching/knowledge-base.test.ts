import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadLanguages } from '../../src/i18n/languages';
import { loadKnowledgeBase, normaliseText, validateKnowledgeBase, type KnownError } from '../../src/understanding/known-errors';
import { loadGuideContent } from '../../src/i18n/guide-content';
import { PRODUCT_KEY_MASK } from '../../src/understanding/product-key';

/** Every language of the table (content/languages.json). */
const LOCALES = loadLanguages().tags;

/** The stable ids of the known-error table in the content facts. Tests, logs and analytics use them. */
const FACT_IDS = [
  'invalid-key-home-product',
  'key-not-valid',
  'key-already-entered',
  'key-expired',
  'key-already-used',
  'temporary-processing-failure',
  'subscription-not-available',
  'too-many-licenses',
  'admin-role-required',
  'region-mismatch',
  'unlicensed-product',
  'account-problem',
  'subscription-problem',
  'couldnt-verify-subscription',
  'products-cant-activate',
  'temporary-server-issues',
  'activation-limit-reached',
  'error-0x80070005',
  'error-0x80072efd',
  'error-0xc004b100',
  'error-0xd000000c',
  'kms-0xc004f074',
];

/** Every url the content facts give. Replies may link to these and to nothing else. */
const FACT_URLS = new Set([
  'https://docs.microsoft.com/microsoft-365/admin/manage/assign-licenses-to-users',
  'https://portal.office.com/account/#installs',
  'https://docs.microsoft.com/microsoft-365/admin/setup/install-applications',
  'https://myaccount.microsoft.com/device-list',
  'https://go.microsoft.com/fwlink/p/?linkid=842054',
  'https://docs.microsoft.com/microsoft-365/commerce/billing-and-payments/add-update-or-remove-credit-card-or-bank-account',
  'https://support.office.com/article/call-support-32a17ca7-6fa0-4870-8a8d-e25ba4ccfd4b',
  'https://docs.microsoft.com/office365/admin/subscriptions-and-billing/reactivate-your-subscription',
  'https://microsoft365.com/setupbusiness',
  'https://setup.microsoft365.com',
  'https://docs.microsoft.com/microsoft-365/commerce/product-key-errors-and-solutions',
  'https://aka.ms/SaRA-OfficeActivation-Reset',
  'https://aka.ms/SaRA-OfficeActivation-sarahome',
]);

const kb = loadKnowledgeBase();
const urlsIn = (text: string): string[] => [...text.matchAll(/https?:\/\/[^\s)\]]+/g)].map((m) => m[0]);
const clone = (): KnownError[] => structuredClone(kb.entries);

describe('known-error knowledge base', () => {
  it('has exactly the ids of the content facts', () => {
    expect(kb.entries.map((e) => e.id).sort()).toEqual([...FACT_IDS].sort());
  });

  it.each(FACT_IDS)('%s is written in both languages, with different text in each', (id) => {
    const entry = kb.entries.find((e) => e.id === id)!;
    for (const locale of LOCALES) {
      expect(entry.title[locale].trim()).not.toBe('');
      expect(entry.fix[locale].length).toBeGreaterThan(0);
      expect(entry.match[locale].length).toBeGreaterThan(0);
      for (const link of entry.links) expect(link.label[locale].trim()).not.toBe('');
    }
    expect(entry.title['nl-NL']).not.toBe(entry.title['en-US']);
    entry.fix['nl-NL'].forEach((step, i) => expect(step).not.toBe(entry.fix['en-US'][i]));
  });

  it('links only to urls from the content facts, and lists as further reading only pages the fix does not link to', () => {
    for (const entry of kb.entries) {
      const listed = entry.links.map((l) => l.url);
      const inline = LOCALES.flatMap((locale) => urlsIn(entry.fix[locale].join('\n')));
      for (const url of [...listed, ...inline]) expect(FACT_URLS).toContain(url);
      for (const url of listed) expect(inline).not.toContain(url);
    }
  });

  it('points every product-key error at the product key errors page', () => {
    const page = 'https://docs.microsoft.com/microsoft-365/commerce/product-key-errors-and-solutions';
    const keyErrors = ['admin-role-required', 'invalid-key-home-product', 'key-already-entered', 'key-already-used', 'key-expired', 'key-not-valid', 'region-mismatch', 'too-many-licenses'];
    for (const id of keyErrors) expect(kb.entries.find((e) => e.id === id)!.links.map((l) => l.url)).toContain(page);
  });

  it("replies in our own words: no fix step repeats an on-screen message", () => {
    const screens = kb.entries
      .flatMap((e) => LOCALES.flatMap((l) => e.match[l]))
      .map(normaliseText)
      .filter((s) => s.split(' ').length >= 5);
    for (const entry of kb.entries) {
      for (const locale of LOCALES) {
        const reply = normaliseText([entry.title[locale], ...entry.fix[locale]].join(' '));
        for (const screen of screens) expect(reply).not.toContain(screen);
      }
    }
  });

  it('names the codes of the error-code entries, so a pasted code alone finds them', () => {
    for (const entry of kb.entries.filter((e) => /0x[0-9a-f]{8}$/.test(e.id))) {
      const code = entry.id.slice(entry.id.lastIndexOf('0x'));
      expect(entry.codes.map((c) => c.toLowerCase())).toContain(code);
    }
  });

  it('offers a short list of common errors with distinct ranks', () => {
    const ranks = kb.entries.flatMap((e) => (e.common === undefined ? [] : [e.common]));
    expect(ranks.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ranks).size).toBe(ranks.length);
  });

  describe('schema check rejects broken content', () => {
    it('a missing translation', () => {
      const entries = clone();
      delete (entries[0]!.fix as Partial<KnownError['fix']>)['nl-NL'];
      expect(() => validateKnowledgeBase(entries, kb.config)).toThrow(new RegExp(`${entries[0]!.id}.*fix\\.nl-NL`));
    });

    it('a further-reading link that the fix already links to, whose label nothing would show', () => {
      const entries = clone();
      const withLink = entries.find((e) => e.links.length > 0)!;
      withLink.fix['nl-NL'].push(`Zie [elders](${withLink.links[0]!.url}).`);
      expect(() => validateKnowledgeBase(entries, kb.config)).toThrow(/already in the fix/);
    });

    it('a plain-http link in a fix step', () => {
      const entries = clone();
      entries[0]!.fix['en-US'].push('See [elsewhere](http://example.invalid/elsewhere).');
      expect(() => validateKnowledgeBase(entries, kb.config)).toThrow(/not https/);
    });

    it('a duplicate id', () => {
      const entries = clone();
      entries.push(structuredClone(entries[0]!));
      expect(() => validateKnowledgeBase(entries, kb.config)).toThrow(/Duplicate known-error id/);
    });

    it('one code claimed by two entries', () => {
      const entries = clone();
      const withCode = entries.find((e) => e.codes.length > 0)!;
      entries.find((e) => e !== withCode)!.codes.push(withCode.codes[0]!);
      expect(() => validateKnowledgeBase(entries, kb.config)).toThrow(/belongs to both/);
    });

    it('a malformed code or a plain-http link', () => {
      const badCode = clone();
      badCode[0]!.codes.push('0x123');
      expect(() => validateKnowledgeBase(badCode, kb.config)).toThrow(/codes/);
      const http = clone();
      http[0]!.links.push({ url: 'http://example.invalid', label: { 'en-US': 'x', 'nl-NL': 'x' } });
      expect(() => validateKnowledgeBase(http, kb.config)).toThrow(/links/);
    });

    it('thresholds in the wrong order', () => {
      const config = structuredClone(kb.config);
      config.outcome.confidentMinRelevance = config.outcome.ambiguousMinRelevance / 2;
      expect(() => validateKnowledgeBase(clone(), config)).toThrow(/confidentMinRelevance/);
    });

    it('a file whose name is not its id', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-'));
      try {
        fs.mkdirSync(path.join(dir, 'known-errors'));
        fs.writeFileSync(path.join(dir, 'matching.json'), JSON.stringify(kb.config));
        fs.writeFileSync(path.join(dir, 'known-errors', 'renamed.json'), JSON.stringify(kb.entries[0]));
        expect(() => loadKnowledgeBase(dir)).toThrow(/file name must be <id>\.json/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe('what the bot says about a pasted product key', () => {
  const content = loadGuideContent();
  // The easily mistyped characters from the content facts.
  const CONFUSABLE = [['B', '8'], ['O', '0'], ['Q', '0'], ['5', 'S'], ['l', 'I'], ['VV', 'W']];

  it.each(LOCALES)('%s explains the format and every easily mistyped pair', (locale) => {
    expect(content.block(locale, 'productKey.intro')?.text).toContain(PRODUCT_KEY_MASK);
    const typos = content.block(locale, 'productKey.typos')?.text ?? '';
    for (const [a, b] of CONFUSABLE) expect(typos).toMatch(new RegExp(`\\b${a}\\b.*\\b${b}\\b`));
  });

  it('is written in each language separately', () => {
    expect(content.block('nl-NL', 'productKey.typos')?.text).not.toBe(content.block('en-US', 'productKey.typos')?.text);
  });
});

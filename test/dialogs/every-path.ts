import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getShortestPaths } from '@xstate/graph';
import { guideMachine, STEP_IDS } from '../../dialogs/machine';
import type { GuideContext, StepMeta } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import { loadStrings } from '../../src/i18n/strings';
import { createErrorMatcher, loadKnowledgeBase } from '../../src/understanding/known-errors';
import { metaOf, type GuideSnapshot } from '../../src/bot/conversation';
import { markdownToHtml } from '../../src/agent/safe-markdown';
import { loadKnownErrorCatalog } from '../../src/understanding/known-error-catalog';
import { Renderer, type Reply } from '../../src/bot/render';
import { replyActivity } from '../../src/bot/reply-activity';
import { loadGuideContent } from '../../src/i18n/guide-content';
import { allEvents, FORWARD_EVENTS } from './machine-events';

// The step (state value) identifies a node; the trail and counters would make the graph infinite.
const byStep = (snapshot: GuideSnapshot) => metaOf(snapshot).step;

/** What an untranslated or broken string looks like once rendered. */
const RAW = [/\bundefined\b/, /\bnull\b/, /\[object Object\]/, /\b[a-zA-Z]+:[a-zA-Z]+\.[a-zA-Z.]+\b/, /{{/];

/** The source topic's "start here" page for a new subscription with a product key (content facts). */
const START_HERE = 'https://support.office.com/article/where-to-enter-your-office-product-key-0a82e5ae-739e-4b92-a6f4-2ec780c185db';

/** Every known-error id in `contentDir`, as a whole word: ids are for logs and the console, never for the customer. */
const knownErrorIds = (contentDir: string) => readdirSync(join(contentDir, 'known-errors')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
const idsIn = (ids: readonly string[], text: string) => ids.filter((id) => new RegExp(`(?<![\\w-])${id}(?![\\w-])`).test(text));

/**
 * Bold inside bold, as Markdown renders it: `**Do you see **Reactivate**?**` leaves stray `**` in the
 * text, or nests <strong>. markdown-it is the renderer the agent console uses; Web Chat's and Teams'
 * follow the same CommonMark rules.
 */
function nestedBold(markdown: string): string | null {
  const html = markdownToHtml(markdown);
  if (html.replace(/<[^>]*>/g, '').includes('**')) return `stray ** in: ${markdown}`;
  let depth = 0;
  for (const [tag] of html.matchAll(/<\/?strong>/g)) {
    depth += tag === '<strong>' ? 1 : -1;
    if (depth > 1) return `bold inside bold in: ${markdown}`;
  }
  return null;
}

/** A step's context in `locale`. Dynamic parts need something to show; the ids come from the real knowledge base. */
function contextAt(snapshot: GuideSnapshot, locale: Locale): GuideContext {
  return {
    ...snapshot.context,
    locale,
    errorId: snapshot.context.errorId ?? 'key-expired',
    candidates: snapshot.context.candidates.length ? snapshot.context.candidates : ['key-not-valid', 'key-already-used'],
  };
}

function expectComplete(reply: Reply) {
  const texts = [reply.markdown, ...reply.choices.map((c) => c.label), ...reply.controls.map((c) => c.label)];
  for (const text of texts) {
    expect(text.trim()).not.toBe('');
    for (const pattern of RAW) expect(text).not.toMatch(pattern);
  }
}

export interface EveryPathData {
  contentDir: string;
  localesDir: string;
  /** The languages walked. Default: every language of the table in contentDir. */
  locales?: readonly Locale[];
}

/**
 * Model-based: walk the statechart's graph instead of hand-picking paths. Every step must be
 * reachable, render completely in every language of the table, and lead on to an outcome. The
 * data comes from `contentDir` and `localesDir`, so a language added as data alone (the
 * pseudo-locale test) is walked the same way as the real ones.
 */
export function describeEveryPath({ contentDir, localesDir, ...given }: EveryPathData): void {
  const strings = loadStrings(contentDir, localesDir);
  const { languages } = strings;
  const LOCALES = given.locales ?? languages.tags;
  const catalog = loadKnownErrorCatalog(createErrorMatcher(loadKnowledgeBase(contentDir)));
  const renderer = new Renderer(strings, loadGuideContent(contentDir), catalog);
  const ALL_EVENTS = allEvents(languages.tags);
  const KNOWN_ERROR_IDS = knownErrorIds(contentDir);
  const other = languages.tags.find((l) => l !== languages.defaultTag)!;

  const paths = getShortestPaths(guideMachine, {
    events: ALL_EVENTS,
    input: { locale: languages.defaultTag },
    serializeState: (s) => byStep(s as GuideSnapshot),
  });

  const reached = new Map(paths.map((p) => [byStep(p.state as GuideSnapshot), p]));

  describe(`every path through the machine (${LOCALES.join(', ')})`, () => {
    test('the graph reaches every step the machine defines', () => {
      expect([...reached.keys()].sort()).toEqual([...STEP_IDS].sort());
      expect(STEP_IDS.length).toBeGreaterThanOrEqual(25);
    });

    describe.each(LOCALES.map((l) => [l]))('rendered in %s', (locale: Locale) => {
      test.each(STEP_IDS.map((s) => [s]))('%s renders with every string present', (step) => {
        const snapshot = reached.get(step)!.state as GuideSnapshot;
        const context = contextAt(snapshot, locale);
        const meta: StepMeta = metaOf(snapshot);
        const reply = renderer.reply(meta, context, [
          { key: 'common:notice.notUnderstood' },
          { key: 'productKey:notice.keyPasted', content: ['productKey.intro', 'productKey.typos'] },
        ]);
        expectComplete(reply);
        expect(reply.choices.length).toBeGreaterThan(0);
        // Its own strings, not the default language's standing in for missing ones.
        const keys = [meta.ask, ...meta.choices.map((c) => `common:choice.${c}`)];
        expect(keys.filter((key) => !strings.has(locale, key))).toEqual([]);
        if (locale !== languages.defaultTag) {
          const inDefault = renderer.reply(meta, context, [], languages.defaultTag);
          expect(reply.markdown).not.toEqual(inDefault.markdown);
        }
      });
    });

    describe.each(LOCALES.map((l) => [l]))('what people see in %s', (locale: Locale) => {
      /** A step's reply with its dynamic parts filled in from the real knowledge base. */
      const replyAt = (step: string) => {
        const snapshot = reached.get(step)!.state as GuideSnapshot;
        return renderer.reply(metaOf(snapshot), contextAt(snapshot, locale), [{ key: 'common:notice.didYouMean', options: [{ ag: 'choice', choice: 'YES', step }, { ag: 'command', command: 'AGENT' }] }]);
      };

      test.each(STEP_IDS.map((s) => [s]))('%s names no known error by its id', (step) => {
        const reply = replyAt(step);
        const shown = [reply.markdown, ...reply.choices.map((c) => c.label), ...reply.controls.map((c) => c.label)].join('\n');
        expect(idsIn(KNOWN_ERROR_IDS, shown)).toEqual([]);
      });

      test('the case summary names the matched error by its title', () => {
        const summary = replyAt('escalated').markdown;
        expect(summary).toContain(`${strings.t(locale, 'common:summary.error')}: ${catalog.title('key-expired', locale)}`);
      });

      test.each(STEP_IDS.map((s) => [s]))('%s has no bold inside bold, in the chat text and in the Teams message with its card', (step) => {
        const reply = replyAt(step);
        const activity = replyActivity(reply);
        const cardTexts = JSON.stringify(activity.attachments).match(/"text":"(?:[^"\\]|\\.)*"/g) ?? [];
        const texts = [reply.markdown, activity.text as string, ...cardTexts.map((t) => JSON.parse(`{${t}}`).text as string)];
        expect(texts.map(nestedBold).filter(Boolean)).toEqual([]);
      });

      test('every product-key path shows the "start here" page in the branch, beside the redeem pages', () => {
        const intoBranch = [...reached].filter(([step]) => step.startsWith('productKey.'));
        expect(intoBranch.map(([step]) => step).sort()).toEqual(['productKey.keyType', 'productKey.redeemBusiness', 'productKey.redeemHome']);
        for (const [step, path] of intoBranch) {
          // Every step of the walk from its first product-key step on, as the user saw it.
          const walked = path.steps.map((s) => metaOf(s.state as GuideSnapshot).step).concat(step);
          const inBranch = walked.slice(walked.findIndex((s) => s.startsWith('productKey.')));
          const shown = inBranch.map((s) => replyAt(s).markdown).join('\n');
          expect({ step, startHere: shown.includes(`](${START_HERE})`) }).toEqual({ step, startHere: true });
          if (step !== 'productKey.keyType') expect(shown).toMatch(/\]\(https:\/\/(setup\.microsoft365\.com|microsoft365\.com\/setupbusiness)\)/);
        }
      });
    });

    test('nothing in locales/ or content/ nests bold in bold on its own', () => {
      const all = (value: unknown): string[] =>
        typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).flatMap(all) : [];
      const files = LOCALES.flatMap((l) => [
        ...readdirSync(join(localesDir, l)).map((f) => join(localesDir, l, f)),
        join(contentDir, l, 'guide.json'),
      ]).concat(knownErrorIds(contentDir).map((id) => `${id}.json`).map((f) => join(contentDir, 'known-errors', f)));
      const texts = files.flatMap((f) => all(JSON.parse(readFileSync(f, 'utf8'))));
      expect(texts.length).toBeGreaterThan(300);
      expect(texts.map(nestedBold).filter(Boolean)).toEqual([]);
    });

    test('the detector sees the nested bold issue 24 found', () => {
      expect(nestedBold('**Do you see **Reactivate** or **Reactivate this subscription** for this subscription?**')).not.toBeNull();
      expect(nestedBold('Do you see **Reactivate** or **Reactivate this subscription** for this subscription?')).toBeNull();
      expect(idsIn(KNOWN_ERROR_IDS, 'Matched error: key-already-used')).toEqual(['key-already-used']);
      expect(idsIn(KNOWN_ERROR_IDS, 'Fix: The product key was already used')).toEqual([]);
    });

    test('every escalation reason the strings name is one some path hands over with', () => {
      const escalations = getShortestPaths(guideMachine, {
        events: ALL_EVENTS,
        input: { locale: languages.defaultTag },
        serializeState: (s) => `${byStep(s as GuideSnapshot)}|${(s as GuideSnapshot).context.escalation}`,
      })
        .map((p) => p.state as GuideSnapshot)
        .filter((s) => metaOf(s).step === 'escalated')
        .map((s) => s.context.escalation);
      const named = Object.keys(strings.namespace(languages.defaultTag, 'common').escalation as Record<string, string>);
      expect([...new Set(escalations)].sort()).toEqual(named.sort());
    });

    test('from every step, an outcome (resolved or escalated) can still be reached by answering', () => {
      for (const [step, path] of reached) {
        const onward = getShortestPaths(guideMachine, {
          events: FORWARD_EVENTS,
          fromState: path.state,
          serializeState: (s) => byStep(s as GuideSnapshot),
        });
        const outcomes = onward.map((p) => metaOf(p.state as GuideSnapshot).outcome).filter(Boolean);
        expect({ step, reachesOutcome: outcomes.length > 0 }).toEqual({ step, reachesOutcome: true });
      }
    });

    test('a reply rendered in the agents\' language (the default) still names the customer\'s language in the summary', () => {
      const snapshot = reached.get('escalated')!.state as GuideSnapshot;
      const customer = { ...snapshot.context, locale: other };
      const forAgent = renderer.reply(metaOf(snapshot), customer, [], languages.defaultTag);
      expect(forAgent.markdown).toContain(`${strings.t(languages.defaultTag, 'common:summary.language')}: ${languages.name(other, languages.defaultTag)}`);
      expect(forAgent.locale).toBe(languages.defaultTag);
    });

    test.each(LOCALES.map((l) => [l]))('in %s, the language command offers every other language of the table, each named in itself', (locale: Locale) => {
      const snapshot = reached.get('start')!.state as GuideSnapshot;
      const reply = renderer.reply(metaOf(snapshot), { ...snapshot.context, locale }, [{ key: 'common:notice.chooseLanguage', offer: 'languages' }]);
      const offered = reply.choices.filter((c) => c.data.ag === 'language');
      expect(offered.map((c) => c.data)).toEqual(languages.tags.filter((t) => t !== locale).map((t) => ({ ag: 'language', locale: t })));
      expect(offered.map((c) => c.label)).toEqual(languages.tags.filter((t) => t !== locale).map((t) => languages.row(t).names[t]));
      expectComplete(reply);
    });

    test('the shortest path to each outcome is a real conversation', () => {
      const resolved = reached.get('resolved')!;
      const escalated = reached.get('escalated')!;
      expect(resolved.steps.length).toBeGreaterThan(1);
      expect(escalated.steps.map((s) => s.event.type)).toContain('AGENT');
    });
  });
}

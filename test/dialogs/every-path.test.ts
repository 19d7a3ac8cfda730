import { getShortestPaths } from '@xstate/graph';
import { guideMachine, STEP_IDS } from '../../dialogs/machine';
import type { GuideContext, StepMeta } from '../../dialogs/setup';
import { LOCALES, type Locale } from '../../dialogs/types';
import { metaOf, type GuideSnapshot } from '../../src/bot/conversation';
import { loadKnownErrorCatalog } from '../../src/bot/known-error-catalog';
import { Renderer, type Reply } from '../../src/bot/render';
import { loadGuideContent } from '../../src/i18n/guide-content';
import { createStrings } from '../../src/i18n/strings';
import { ALL_EVENTS, FORWARD_EVENTS } from './machine-events';

/**
 * Model-based: walk the statechart's graph instead of hand-picking paths. Every step must be
 * reachable, render completely in both languages, and lead on to an outcome.
 */
const strings = createStrings();
const renderer = new Renderer(strings, loadGuideContent(), loadKnownErrorCatalog());

// The step (state value) identifies a node; the trail and counters would make the graph infinite.
const byStep = (snapshot: GuideSnapshot) => metaOf(snapshot).step;

const paths = getShortestPaths(guideMachine, {
  events: ALL_EVENTS,
  input: { locale: 'en-US' },
  serializeState: (s) => byStep(s as GuideSnapshot),
});

const reached = new Map(paths.map((p) => [byStep(p.state as GuideSnapshot), p]));

/** What an untranslated or broken string looks like once rendered. */
const RAW = [/\bundefined\b/, /\bnull\b/, /\[object Object\]/, /\b[a-zA-Z]+:[a-zA-Z]+\.[a-zA-Z.]+\b/, /{{/];

function expectComplete(reply: Reply) {
  const texts = [reply.markdown, ...reply.choices.map((c) => c.label), ...reply.controls.map((c) => c.label)];
  for (const text of texts) {
    expect(text.trim()).not.toBe('');
    for (const pattern of RAW) expect(text).not.toMatch(pattern);
  }
}

describe('every path through the machine', () => {
  test('the graph reaches every step the machine defines', () => {
    expect([...reached.keys()].sort()).toEqual([...STEP_IDS].sort());
    expect(STEP_IDS.length).toBeGreaterThanOrEqual(25);
  });

  describe.each(LOCALES.map((l) => [l]))('rendered in %s', (locale: Locale) => {
    test.each(STEP_IDS.map((s) => [s]))('%s renders with every string present', (step) => {
      const snapshot = reached.get(step)!.state as GuideSnapshot;
      const context: GuideContext = {
        ...snapshot.context,
        locale,
        // Dynamic parts need something to show; the ids come from the real knowledge base.
        errorId: snapshot.context.errorId ?? 'key-expired',
        candidates: snapshot.context.candidates.length ? snapshot.context.candidates : ['key-not-valid', 'key-already-used'],
      };
      const meta: StepMeta = metaOf(snapshot);
      const reply = renderer.reply(meta, context, [
        { key: 'common:notice.notUnderstood' },
        { key: 'productKey:notice.keyPasted', content: ['productKey.intro', 'productKey.typos'] },
      ]);
      expectComplete(reply);
      expect(reply.choices.length).toBeGreaterThan(0);
      if (locale === 'nl-NL') {
        const english = renderer.reply(meta, context, [], 'en-US');
        expect(reply.markdown).not.toEqual(english.markdown);
      }
    });
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

  test('a reply rendered in English for an agent still names the customer\'s language in the summary', () => {
    const snapshot = reached.get('escalated')!.state as GuideSnapshot;
    const dutch = { ...snapshot.context, locale: 'nl-NL' as const };
    const forAgent = renderer.reply(metaOf(snapshot), dutch, [], 'en-US');
    expect(forAgent.markdown).toContain(`${strings.t('en-US', 'common:summary.language')}: ${strings.t('en-US', 'common:language.nl-NL')}`);
    expect(forAgent.locale).toBe('en-US');
  });

  test('the shortest path to each outcome is a real conversation', () => {
    const resolved = reached.get('resolved')!;
    const escalated = reached.get('escalated')!;
    expect(resolved.steps.length).toBeGreaterThan(1);
    expect(escalated.steps.map((s) => s.event.type)).toContain('AGENT');
  });
});

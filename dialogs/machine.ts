import { activate } from './activate';
import { knownError } from './known-error';
import { outcomes } from './outcome';
import { productKey } from './product-key';
import { reactivate } from './reactivate';
import { guide, initialContext, BRANCH_CHOICES, type BRANCHES, type StepId } from './setup';
import { askLanguage, branchChoices, escalateTo, goTo, say, step } from './step';

/**
 * Bump when a change makes stored snapshots meaningless (renamed or removed steps, new context
 * shape). The edge resets older snapshots politely instead of replaying them into a machine that
 * no longer has their states.
 */
export const MACHINE_VERSION = 1;

const branches = { activate, reactivate, productKey, knownError } satisfies Record<(typeof BRANCHES)[keyof typeof BRANCHES], unknown>;

/** Every step id, found in the config itself so `back` can never miss one. */
function stepIds(states: Record<string, unknown>, prefix = ''): StepId[] {
  return Object.entries(states).flatMap(([key, node]) => {
    const config = node as { meta?: { step: StepId }; states?: Record<string, unknown> };
    const own = config.meta ? [config.meta.step] : [];
    return [...own, ...(config.states ? stepIds(config.states, `${prefix}${key}.`) : [])];
  });
}

const start = step(
  { step: 'start', content: ['start.welcome'], ask: 'common:ask.start', choices: [...BRANCH_CHOICES], input: 'intent' },
  { on: branchChoices(false) },
);

const routedSteps = stepIds({ start, ...branches, ...outcomes });

export const guideMachine = guide.createMachine({
  id: 'guide',
  // xstate's `transition()` builds a throwaway actor without input on every call, whose context the
  // stored snapshot replaces; a factory that threw there would cost a caught exception (and its
  // stack trace) per turn. The edge always starts a conversation with a language from its table.
  context: ({ input }) => initialContext(input?.locale ?? ''),
  initial: 'start',
  // The behaviours every step shares (the "patterns"): they hold wherever the conversation is.
  on: {
    START_OVER: { target: '.start', actions: 'startOver', reenter: true },
    BACK: [{ guard: 'canGoBack', target: '.goingBack', actions: 'prepareBack' }, { actions: say('common:notice.nothingToGoBackTo') }],
    HELP: { actions: say('common:notice.help') },
    AGENT: escalateTo('user-asked'),
    LANGUAGE: { actions: askLanguage() },
    SET_LOCALE: { actions: [{ type: 'setLocale', params: ({ event }) => ({ locale: event.locale }) }, say('common:notice.languageChanged')] },
    KEY_PASTED: { actions: say('productKey:notice.keyPasted', ['productKey.intro', 'productKey.typos']) },
    MISS: [
      { guard: 'isSecondMiss', actions: ['countMiss', say('common:notice.offerHuman')] },
      { actions: ['countMiss', say('common:notice.notUnderstood')] },
    ],
  },
  states: {
    start,
    ...branches,
    ...outcomes,
    goingBack: {
      always: [
        ...routedSteps.map((id) => ({ guard: { type: 'isBackTo', params: { step: id } }, target: goTo(id) }) as const),
        { target: 'start' },
      ],
    },
  },
});

export { routedSteps as STEP_IDS };

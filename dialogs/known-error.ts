import { guide, type GuideEvent } from './setup';
import { goTo, step } from './step';

/**
 * Known error: the user pastes what they see; the edge runs the matcher and sends its result as
 * ERROR_TEXT. Confident → the fix; a close call → "did you mean…?"; nothing → say so and list the
 * common errors. Never guess a fix. Every step here also takes a new paste or a picked error.
 */
type Pasted = { event: Extract<GuideEvent, { type: 'ERROR_TEXT' }> };
type Picked = { event: Extract<GuideEvent, { type: 'CHOOSE_ERROR' }> };
const matchOf = ({ event }: Pasted) => ({ match: event.match });

const { on: readsErrors } = guide.createStateConfig({
  on: {
    ERROR_TEXT: [
      {
        guard: { type: 'isConfidentMatch', params: matchOf },
        target: goTo('knownError.fix'),
        actions: { type: 'rememberMatch', params: matchOf },
      },
      {
        guard: { type: 'isAmbiguousMatch', params: matchOf },
        target: goTo('knownError.candidates'),
        actions: { type: 'rememberMatch', params: matchOf },
      },
      { target: goTo('knownError.noMatch') },
    ],
    CHOOSE_ERROR: {
      target: goTo('knownError.fix'),
      actions: { type: 'chooseError', params: ({ event }: Picked) => ({ id: event.id }) },
    },
  },
});

export const knownError = {
  initial: 'paste',
  states: {
    paste: step(
      { step: 'knownError.paste', ask: 'knownError:ask.paste', choices: ['NO_ERROR'], input: 'error-text' },
      { on: { ...readsErrors, NO_ERROR: goTo('notResolved') } },
    ),
    candidates: step(
      { step: 'knownError.candidates', ask: 'knownError:ask.candidates', choices: ['NONE_OF_THESE'], input: 'error-text', dynamic: 'error-candidates' },
      { on: { ...readsErrors, NONE_OF_THESE: goTo('knownError.noMatch') } },
    ),
    noMatch: step(
      { step: 'knownError.noMatch', content: ['knownError.noMatch'], ask: 'knownError:ask.common', choices: ['AGENT'], input: 'error-text', dynamic: 'common-errors' },
      { on: { ...readsErrors } },
    ),
    fix: step(
      { step: 'knownError.fix', ask: 'common:ask.helped', choices: ['YES', 'NO'], input: 'choice', dynamic: 'error-fix' },
      { on: { YES: goTo('resolved'), NO: goTo('notResolved') } },
    ),
  },
} as const;

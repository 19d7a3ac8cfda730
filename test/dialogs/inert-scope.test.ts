import { getShortestPaths } from '@xstate/graph';
import { initialTransition, transition } from 'xstate';
import { guideMachine } from '../../dialogs/machine';
import type { GuideEvent } from '../../dialogs/setup';
import { LOCALES } from '../../dialogs/types';
import { initialStep, metaOf, nextStep, type GuideSnapshot } from '../../src/bot/conversation';
import { ALL_EVENTS } from './machine-events';

/**
 * The turn loop steps the machine through one shared inert scope instead of xstate's
 * `transition()`, which builds a new actor per call (src/bot/conversation.ts says why). Both must
 * give the same snapshot and the same actions on every path, every event, and in any order.
 */
const paths = getShortestPaths(guideMachine, {
  events: ALL_EVENTS,
  input: { locale: 'en-US' },
  serializeState: (s) => metaOf(s as GuideSnapshot).step,
});

const actionsOf = (actions: ReadonlyArray<{ type: string; params?: unknown }>) => actions.map(({ type, params }) => ({ type, params }));
const stateOf = (snapshot: GuideSnapshot) => guideMachine.getPersistedSnapshot(snapshot);

describe.each(LOCALES.map((l) => [l]))('in %s, the shared scope steps exactly like transition()', (locale) => {
  test('the initial step', () => {
    const [ours, ourActions] = initialStep(locale);
    const [theirs, theirActions] = initialTransition(guideMachine, { locale });
    expect(stateOf(ours)).toEqual(stateOf(theirs));
    expect(actionsOf(ourActions)).toEqual(actionsOf(theirActions));
  });

  test.each(paths.map((p) => [metaOf(p.state as GuideSnapshot).step, p.steps.map((s) => s.event as GuideEvent)]))(
    'every event from %s, after the path that reaches it',
    (_step, events) => {
      const compare = (ours: GuideSnapshot, theirs: GuideSnapshot, event: GuideEvent) => {
        const [nextOurs, ourActions] = nextStep(ours, event);
        const [nextTheirs, theirActions] = transition(guideMachine, theirs, event);
        expect(stateOf(nextOurs)).toEqual(stateOf(nextTheirs));
        expect(actionsOf(ourActions)).toEqual(actionsOf(theirActions));
        return [nextOurs, nextTheirs] as const;
      };
      let ours = initialStep(locale)[0];
      let theirs = initialTransition(guideMachine, { locale })[0];
      // The path's first step is xstate's own init event.
      for (const event of events.slice(1)) [ours, theirs] = compare(ours, theirs, event);
      // Interleaved with xstate's own calls, so a scope that kept anything between calls would show.
      for (const event of ALL_EVENTS) compare(ours, theirs, event);
    },
  );
});

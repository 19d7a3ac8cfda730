import { getShortestPaths } from '@xstate/graph';
import { guideMachine } from '../../dialogs/machine';
import type { GuideEvent } from '../../dialogs/setup';
import { apply, metaOf, resume, type GuideSnapshot } from '../../src/bot/conversation';
import { ALL_EVENTS } from './machine-events';

/**
 * A move says which outcome it reached, read from the steps' meta (not from step names): the turn
 * log counts conversation outcomes from it. Every path into a step with an outcome reaches it,
 * and a move between two steps of the same outcome (resolved → rated) does not reach it again.
 */
const paths = getShortestPaths(guideMachine, {
  events: ALL_EVENTS,
  input: { locale: 'en-US' },
  serializeState: (s) => metaOf(s as GuideSnapshot).step,
});

const withOutcome = paths.filter((p) => metaOf(p.state as GuideSnapshot).outcome);

test('the flow has steps with each outcome', () => {
  expect(new Set(withOutcome.map((p) => metaOf(p.state as GuideSnapshot).outcome))).toEqual(new Set(['resolved', 'escalated']));
});

test.each(withOutcome.map((p) => [metaOf(p.state as GuideSnapshot).step, p.steps.slice(1).map((s) => s.event as GuideEvent)] as const))(
  'the moves to %s reach its outcome exactly once, on the move that enters the first step with it',
  (step, events) => {
    let current = resume(undefined, 'en-US');
    const reached: string[] = [];
    for (const event of events) {
      const before = metaOf(current.snapshot).outcome;
      current = apply({ ...current, effects: { notices: [] } }, [event]);
      const after = metaOf(current.snapshot).outcome;
      expect(current.effects.reached).toBe(after && after !== before ? after : undefined);
      if (current.effects.reached) reached.push(current.effects.reached);
    }
    expect(metaOf(current.snapshot).step).toBe(step);
    expect(reached).toEqual([metaOf(current.snapshot).outcome]);
  },
);

import { BRANCH_CHOICES } from './setup';
import { branchChoices, escalateTo, goTo, step } from './step';

const rate = (rating: number) => ({ target: goTo('rated'), actions: { type: 'rate', params: { rating } } }) as const;

/** How a conversation ends: resolved (then a 1–5 rating), not resolved (try another branch or a person), or escalated. */
export const outcomes = {
  resolved: step(
    {
      step: 'resolved',
      content: ['outcome.resolved'],
      ask: 'outcome:ask.rating',
      choices: ['RATE_1', 'RATE_2', 'RATE_3', 'RATE_4', 'RATE_5', 'SKIP'],
      input: 'choice',
      outcome: 'resolved',
    },
    { on: { RATE_1: rate(1), RATE_2: rate(2), RATE_3: rate(3), RATE_4: rate(4), RATE_5: rate(5), SKIP: goTo('rated') } },
  ),
  rated: step(
    { step: 'rated', content: ['outcome.rated'], ask: 'outcome:ask.anythingElse', choices: [...BRANCH_CHOICES], input: 'intent', outcome: 'resolved' },
    { on: branchChoices(true) },
  ),
  notResolved: step(
    { step: 'notResolved', content: ['outcome.notResolved'], ask: 'outcome:ask.next', choices: [...BRANCH_CHOICES, 'AGENT'], input: 'intent' },
    { on: { ...branchChoices(false), AGENT: escalateTo('not-resolved') } },
  ),
  escalated: step(
    {
      step: 'escalated',
      content: ['outcome.escalated'],
      ask: 'outcome:ask.anythingElse',
      choices: [...BRANCH_CHOICES],
      input: 'intent',
      outcome: 'escalated',
      dynamic: 'case-summary',
    },
    { on: branchChoices(true) },
    [{ type: 'handOff', params: ({ context }) => ({ reason: context.escalation ?? 'user-asked' }) }],
  ),
} as const;

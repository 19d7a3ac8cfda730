import { escalateTo, goTo, step } from './step';

/**
 * Reactivate: why did it stop? → what that state means → Billing > Your products → is Reactivate
 * offered? (no: only support can help) → payment details → did it help? A deleted subscription
 * cannot be reactivated: a person, or start over.
 */
/** Each way a subscription stops has its own explanation before the common billing steps. */
const whyItStopped = {
  EXPIRED: goTo('reactivate.expired'),
  DISABLED: goTo('reactivate.disabled'),
  CANCELLED: goTo('reactivate.cancelled'),
  DELETED: goTo('reactivate.deleted'),
};

export const reactivate = {
  initial: 'reason',
  states: {
    reason: step(
      {
        step: 'reactivate.reason',
        content: ['reactivate.intro'],
        ask: 'reactivate:ask.reason',
        choices: ['EXPIRED', 'DISABLED', 'CANCELLED', 'DELETED', 'NOT_SURE'],
        input: 'choice',
      },
      {
        on: { ...whyItStopped, NOT_SURE: goTo('reactivate.lifecycle') },
      },
    ),
    lifecycle: step(
      {
        step: 'reactivate.lifecycle',
        content: ['reactivate.lifecycle'],
        ask: 'reactivate:ask.reason',
        choices: ['EXPIRED', 'DISABLED', 'CANCELLED', 'DELETED'],
        input: 'choice',
      },
      {
        on: whyItStopped,
      },
    ),
    expired: step(
      { step: 'reactivate.expired', content: ['reactivate.expired'], ask: 'reactivate:ask.continue', choices: ['CONTINUE'], input: 'choice' },
      { on: { CONTINUE: goTo('reactivate.billing') } },
    ),
    disabled: step(
      { step: 'reactivate.disabled', content: ['reactivate.disabled'], ask: 'reactivate:ask.continue', choices: ['CONTINUE'], input: 'choice' },
      { on: { CONTINUE: goTo('reactivate.billing') } },
    ),
    cancelled: step(
      { step: 'reactivate.cancelled', content: ['reactivate.cancelled'], ask: 'reactivate:ask.continue', choices: ['CONTINUE'], input: 'choice' },
      { on: { CONTINUE: goTo('reactivate.billing') } },
    ),
    // The person offered here gets told why: a deleted subscription, not just "the user asked".
    deleted: step(
      { step: 'reactivate.deleted', content: ['reactivate.deleted'], ask: 'reactivate:ask.deleted', choices: ['AGENT', 'START_OVER'], input: 'choice' },
      { on: { AGENT: escalateTo('deleted') } },
    ),
    billing: step(
      { step: 'reactivate.billing', content: ['reactivate.billing'], ask: 'reactivate:ask.offered', choices: ['YES', 'NO'], input: 'choice' },
      { on: { YES: goTo('reactivate.payment'), NO: escalateTo('no-reactivate') } },
    ),
    payment: step(
      { step: 'reactivate.payment', content: ['reactivate.payment'], ask: 'common:ask.helped', choices: ['YES', 'NO'], input: 'choice' },
      { on: { YES: goTo('resolved'), NO: goTo('notResolved') } },
    ),
  },
} as const;

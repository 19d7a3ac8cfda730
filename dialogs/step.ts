import { BRANCHES, guide, type BranchChoice, type EscalationReason, type StepMeta } from './setup';

type StateConfig = Parameters<typeof guide.createStateConfig>[0];

/**
 * One question of the script. Entering it records it on the trail (for `back` and the case summary)
 * and resets the miss counter; its meta tells every renderer what to show.
 */
export function step<T extends Omit<StateConfig, 'meta' | 'entry'>>(meta: StepMeta, config: T, also: Entry = []) {
  return guide.createStateConfig({
    ...config,
    meta,
    entry: [{ type: 'enterStep', params: { step: meta.step } }, ...also],
  } as T & Pick<StateConfig, 'meta' | 'entry'>);
}

type Entry = Extract<NonNullable<StateConfig['entry']>, readonly unknown[]>;

/** A notice shown before the current step's question: an i18n key, optionally with content blocks. */
export const say = (key: string, content?: readonly string[]) => ({ type: 'say', params: { key, content } }) as const;

/** The language picker: a question whose buttons the edge draws, one per language it speaks besides the current one. */
export const askLanguage = () => ({ type: 'say', params: { key: 'common:notice.chooseLanguage', offer: 'languages' } }) as const;

/** A transition that hands the conversation to a person, remembering why. */
export const escalateTo = (reason: EscalationReason) =>
  ({ target: '#guide.escalated', actions: { type: 'escalate', params: { reason } } }) as const;

export const goTo = (path: string) => `#guide.${path}` as const;

/**
 * Where each branch choice leads. A conversation that has already reached an outcome starts a
 * fresh case, so the next summary does not mix two problems.
 */
export const branchChoices = (freshCase: boolean) => {
  const to = (path: string) => (freshCase ? { target: goTo(path), actions: 'startOver' as const } : goTo(path));
  return Object.fromEntries(Object.entries(BRANCHES).map(([choice, state]) => [choice, to(state)])) as Record<BranchChoice, ReturnType<typeof to>>;
};

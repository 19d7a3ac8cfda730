import type { GuideContext } from '../../dialogs/setup';
import type { KnownErrorId, Locale } from '../../dialogs/types';
import type { Strings } from '../i18n/strings';

export type Branch = 'activate' | 'reactivate' | 'productKey' | 'knownError';
export type CaseOutcome = 'resolved' | 'escalated' | 'open';

/** What agents need when they pick up a conversation: structured, so it can be stored and counted. */
export interface CaseSummary {
  branch: Branch | null;
  steps: string[];
  errorId: KnownErrorId | null;
  outcome: CaseOutcome;
  escalation: GuideContext['escalation'];
  locale: Locale;
  rating: number | null;
}

const BRANCHES: Branch[] = ['activate', 'reactivate', 'productKey', 'knownError'];

export function caseSummary(context: GuideContext, outcome: CaseOutcome): CaseSummary {
  const firstBranch = context.trail.map((s) => s.split('.')[0]).find((b): b is Branch => (BRANCHES as string[]).includes(b));
  return {
    branch: firstBranch ?? null,
    steps: context.trail.filter((s) => s !== 'start'),
    errorId: context.errorId,
    outcome,
    escalation: context.escalation,
    locale: context.locale,
    rating: context.rating,
  };
}

/** The summary as Markdown lines in `locale` (the customer's, or English for the agent). */
export function formatCaseSummary(summary: CaseSummary, strings: Strings, locale: Locale): string {
  const t = (key: string) => strings.t(locale, key);
  const none = t('common:summary.none');
  const lines = [
    `**${t('common:summary.title')}**`,
    `- ${t('common:summary.branch')}: ${t(`common:branch.${summary.branch ?? 'none'}`)}`,
    `- ${t('common:summary.steps')}: ${summary.steps.map((s) => t(`common:step.${s}`)).join(' → ') || none}`,
    `- ${t('common:summary.error')}: ${summary.errorId ?? none}`,
    `- ${t('common:summary.outcome')}: ${t(`common:outcome.${summary.outcome}`)}`,
  ];
  if (summary.escalation) lines.push(`- ${t('common:summary.reason')}: ${t(`common:escalation.${summary.escalation}`)}`);
  if (summary.rating !== null) lines.push(`- ${t('common:summary.rating')}: ${summary.rating}/5`);
  lines.push(`- ${t('common:summary.language')}: ${t(`common:language.${summary.locale}`)}`);
  return lines.join('\n');
}

import type { GuideContext } from '../../dialogs/setup';
import type { KnownErrorId, Locale } from '../../dialogs/types';
import type { Strings } from '../i18n/strings';
import type { KnownErrorCatalog } from '../understanding/known-error-catalog';

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

export interface SummaryNames {
  /** Names a matched error by its title in the summary's language. */
  errors: Pick<KnownErrorCatalog, 'has' | 'title'>;
  /** The agent console adds the stable id beside the title, the word agents search and count by. */
  withIds?: boolean;
}

/**
 * The summary as Markdown lines in `locale` (the customer's, or English for the agent). People
 * read titles, never ids: the summary goes to the customer and into the hand-off.
 */
export function formatCaseSummary(summary: CaseSummary, strings: Strings, locale: Locale, names: SummaryNames): string {
  const t = (key: string) => strings.t(locale, key);
  const none = t('common:summary.none');
  const lines = [
    `**${t('common:summary.title')}**`,
    `- ${t('common:summary.branch')}: ${t(`common:branch.${summary.branch ?? 'none'}`)}`,
    `- ${t('common:summary.steps')}: ${summary.steps.map((s) => t(`common:step.${s}`)).join(' → ') || none}`,
    `- ${t('common:summary.error')}: ${summary.errorId ? errorName(summary.errorId, locale, names) : none}`,
    `- ${t('common:summary.outcome')}: ${t(`common:outcome.${summary.outcome}`)}`,
  ];
  if (summary.escalation) lines.push(`- ${t('common:summary.reason')}: ${t(`common:escalation.${summary.escalation}`)}`);
  if (summary.rating !== null) lines.push(`- ${t('common:summary.rating')}: ${summary.rating}/5`);
  lines.push(`- ${t('common:summary.language')}: ${strings.languages.name(summary.locale, locale)}`);
  return lines.join('\n');
}

/** A known error as people read it; an id no longer in the knowledge base (an old case) stays an id. */
export function errorName(id: KnownErrorId, locale: Locale, { errors, withIds = false }: SummaryNames): string {
  if (!errors.has(id)) return id;
  const title = errors.title(id, locale);
  return withIds ? `${title} (${id})` : title;
}

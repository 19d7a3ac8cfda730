import type { KnownErrorId } from '../../dialogs/types';
import type { CaseRecord } from './case-log';

export type CaseStatus = 'resolved' | 'escalated' | 'abandoned' | 'open';

/** 30 minutes without a message ends a conversation that reached no outcome. */
export const DEFAULT_ABANDON_AFTER_MS = 30 * 60 * 1000;

/**
 * Abandonment is worked out when someone asks, from the last activity, so no timer has to run
 * (and none is lost on a restart).
 */
export function caseStatus(record: CaseRecord, now: number, abandonAfterMs: number): CaseStatus {
  if (record.outcome !== 'open') return record.outcome;
  return now - record.lastActivity >= abandonAfterMs ? 'abandoned' : 'open';
}

export interface Stats {
  /** Conversations in which the customer said something. */
  conversations: number;
  counts: Record<CaseStatus, number>;
  /** Shares of the conversations that have ended (resolved + escalated + abandoned); null before any has. */
  rates: { resolution: number | null; escalation: number | null; abandon: number | null };
  rating: { average: number | null; count: number };
  topErrors: { id: KnownErrorId; count: number }[];
  openHandOffs: number;
}

export function computeStats(records: readonly CaseRecord[], now: number, abandonAfterMs: number, topN = 5): Stats {
  const counted = records.filter((r) => r.userTurns > 0);
  const counts: Record<CaseStatus, number> = { resolved: 0, escalated: 0, abandoned: 0, open: 0 };
  const errors = new Map<KnownErrorId, number>();
  const ratings: number[] = [];
  for (const record of counted) {
    counts[caseStatus(record, now, abandonAfterMs)]++;
    if (record.rating !== null) ratings.push(record.rating);
    for (const id of record.errorIds) errors.set(id, (errors.get(id) ?? 0) + 1);
  }
  const ended = counts.resolved + counts.escalated + counts.abandoned;
  const rate = (n: number) => (ended === 0 ? null : round(n / ended, 4));
  return {
    conversations: counted.length,
    counts,
    rates: { resolution: rate(counts.resolved), escalation: rate(counts.escalated), abandon: rate(counts.abandoned) },
    rating: { average: ratings.length ? round(ratings.reduce((a, b) => a + b, 0) / ratings.length, 2) : null, count: ratings.length },
    topErrors: [...errors.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, topN)
      .map(([id, count]) => ({ id, count })),
    openHandOffs: records.filter((r) => r.handOff?.status === 'open').length,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

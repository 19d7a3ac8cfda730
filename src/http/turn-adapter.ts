import { CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';

/**
 * CloudAdapter.process checks a request with zod schemas it builds anew on every call, and copies
 * the body twice to find out that it is an object. /api/messages has already checked the activity
 * (src/http/activity-shape.ts), so this adapter hands it straight to the turn: authentication,
 * the turn context and the invoke response are botbuilder's, unchanged.
 */
export class TurnAdapter extends CloudAdapter {
  /** Runs one turn for an activity received over HTTP; resolves to the invoke response, if any. */
  runTurn(authorization: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authorization, withDates(activity), logic);
  }
}

/** What botbuilder's validateAndFixActivity does to a received activity: its times become Dates. */
function withDates(activity: Activity): Activity {
  const a = activity as Activity & Record<string, unknown>;
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['expiration', 'rawExpiration'],
    ['localTimestamp', 'rawLocalTimestamp'],
  ] as const) {
    const value = a[field];
    if (typeof value === 'string') {
      a[raw] = value;
      a[field] = new Date(value);
    }
  }
  return activity;
}

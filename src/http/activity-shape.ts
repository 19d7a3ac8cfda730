import { z } from 'zod';

/**
 * The least an activity must have before any turn runs. botbuilder's own parsing throws deep in
 * the adapter on such input; checking here turns it into a clear 400 instead of a 500.
 */
const account = z.object({ id: z.string().max(512) }).passthrough();

export const activityShape = z
  .object({
    type: z.string().min(1).max(64),
    id: z.string().max(512).optional(),
    channelId: z.string().min(1).max(128),
    serviceUrl: z.string().min(1).max(2048),
    conversation: z.object({ id: z.string().min(1).max(1024) }).passthrough(),
    from: account.optional(),
    recipient: account.optional(),
    text: z.string().optional(),
    locale: z.string().max(64).optional(),
    value: z.unknown().optional(),
    entities: z.array(z.record(z.unknown())).optional(),
    attachments: z.array(z.record(z.unknown())).optional(),
    channelData: z.unknown().optional(),
  })
  .passthrough();

export type ActivityProblem = { ok: true } | { ok: false; message: string };

export function checkActivityShape(body: unknown): ActivityProblem {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, message: 'the body must be a JSON activity object' };
  const parsed = activityShape.safeParse(body);
  if (parsed.success) return { ok: true };
  const issue = parsed.error.issues[0];
  return { ok: false, message: `invalid activity: ${issue.path.join('.') || 'body'}: ${issue.message}` };
}

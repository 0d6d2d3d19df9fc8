import type { Activity } from 'botbuilder';
import { z } from 'zod';

/**
 * The fields a turn cannot do without: replies are posted to `serviceUrl` under
 * `conversation.id`, and the dialogs know the user by (`channelId`, `from.id`).
 */
const ActivityShape = z.looseObject({
  type: z.string().min(1),
  // Short and plain: it becomes part of the namespaced channel id identities and the back office filter by.
  channelId: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,26}$/i),
  serviceUrl: z.url({ protocol: /^https?$/ }),
  conversation: z.looseObject({ id: z.string().min(1) }),
  from: z.looseObject({ id: z.string().min(1) }),
  text: z.string().optional(),
});

export type ReadActivity = { ok: true; activity: Activity } | { ok: false; reason: string };

/** The activity posted to /api/messages, or why it cannot be one. */
export function readActivity(body: unknown): ReadActivity {
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) return { ok: false, reason: 'Expected a JSON activity (Content-Type: application/json)' };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'Expected an activity object' };
  const parsed = ActivityShape.safeParse(body);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))];
    return { ok: false, reason: `Missing or invalid activity field: ${fields.join(', ')}` };
  }
  const activity = parsed.data as unknown as Activity & Record<string, unknown>;
  // The connector sends ISO strings; botbuilder's types (and CloudAdapter.process) have Dates.
  for (const key of ['timestamp', 'localTimestamp', 'expiration'] as const) {
    if (typeof activity[key] === 'string') activity[key] = new Date(activity[key] as string);
  }
  return { ok: true, activity };
}

// The feed of inbox changes (written by a trigger on user_tasks), read by the event-stream hubs.
import type { Knex } from 'knex';

export interface InboxChangeRow {
  seq: string;
  task_id: string;
  old_assignee: string | null;
  changed_at: Date;
}

export async function inboxChangesAfter(db: Knex, seq: string, limit: number): Promise<InboxChangeRow[]> {
  return db('inbox_changes').where('seq', '>', seq).orderBy('seq').limit(limit);
}

export async function lastInboxChangeSeq(db: Knex): Promise<string> {
  const row = await db('inbox_changes').max<{ max: string | null }>('seq as max').first();
  return String(row?.max ?? 0);
}

/** Deletes feed rows older than `before`; returns how many. */
export async function pruneInboxChanges(db: Knex, before: Date): Promise<number> {
  return db('inbox_changes').where('changed_at', '<', before).delete();
}

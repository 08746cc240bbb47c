// In-app notifications, one row per recipient. Written inside the transaction of the change they
// tell about; read by their recipient only.
import type { Knex } from 'knex';

export type NotificationKind = 'task.assigned' | 'task.delegated' | 'task.returned' | 'task.overdue' | 'task.escalated' | 'veterans.retiree' | 'retirement.due';

export interface NotificationDraft {
  username: string;
  kind: NotificationKind;
  title: string;
  taskId?: string | null;
  instanceId?: string | null;
  actor?: string | null;
}

export interface NotificationRow {
  id: string;
  seq: string;
  username: string;
  kind: NotificationKind;
  task_id: string | null;
  instance_id: string | null;
  title: string;
  actor: string | null;
  created_at: Date;
  read_at: Date | null;
}

/** Inserts notifications; recipients that are not (or no longer) users are skipped. */
export async function insertNotifications(db: Knex, drafts: readonly NotificationDraft[]): Promise<void> {
  const unique = new Map(drafts.map((d) => [`${d.username}\u0000${d.kind}\u0000${d.taskId ?? ''}`, d]));
  if (!unique.size) return;
  const names = [...new Set([...unique.values()].map((d) => d.username))];
  const existing = new Set((await db('users').whereIn('username', names).select('username')).map((r: { username: string }) => r.username));
  const rows = [...unique.values()]
    .filter((d) => existing.has(d.username))
    .map((d) => ({ username: d.username, kind: d.kind, title: d.title, task_id: d.taskId ?? null, instance_id: d.instanceId ?? null, actor: d.actor ?? null }));
  if (rows.length) await db('notifications').insert(rows);
}

export async function listNotifications(
  db: Knex,
  username: string,
  options: { unreadOnly: boolean; page: number; pageSize: number },
): Promise<{ items: NotificationRow[]; total: number; unread: number }> {
  const base = db('notifications').where({ username }).modify((q) => {
    if (options.unreadOnly) q.whereNull('read_at');
  });
  const [items, [{ count }], [{ unread }]] = await Promise.all([
    base.clone().select('*').orderBy([{ column: 'seq', order: 'desc' }]).limit(options.pageSize).offset((options.page - 1) * options.pageSize),
    base.clone().count<{ count: string }[]>('* as count'),
    db('notifications').where({ username }).whereNull('read_at').count<{ unread: string }[]>('* as unread'),
  ]);
  return { items, total: Number(count), unread: Number(unread) };
}

/** Marks one of the user's notifications read; undefined when the user has no such notification. */
export async function markNotificationRead(db: Knex, username: string, id: string): Promise<NotificationRow | undefined> {
  const [row] = await db('notifications').where({ id, username }).update({ read_at: db.raw('coalesce(read_at, now())') }).returning('*');
  return row;
}

export async function markAllNotificationsRead(db: Knex, username: string): Promise<number> {
  return db('notifications').where({ username }).whereNull('read_at').update({ read_at: db.fn.now() });
}

/** Notifications written after `seq` (the event stream's cursor), oldest first. */
export async function notificationsAfter(db: Knex, seq: string, limit: number): Promise<NotificationRow[]> {
  return db('notifications').where('seq', '>', seq).orderBy('seq').limit(limit);
}

export async function lastNotificationSeq(db: Knex): Promise<string> {
  const row = await db('notifications').max<{ max: string | null }>('seq as max').first();
  return String(row?.max ?? 0);
}

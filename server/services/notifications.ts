// One's own in-app notifications: list (newest first, with the unread count) and mark read.
import type { Knex } from 'knex';
import type { AuthUser } from '../core/auth-user';
import { notFound, requireUuid } from '../core/errors';
import { listNotifications, markAllNotificationsRead, markNotificationRead, type NotificationRow } from '../repositories/notifications';

export interface NotificationView {
  id: string;
  kind: string;
  title: string;
  taskId: string | null;
  instanceId: string | null;
  actor: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationService {
  list(user: AuthUser, options: { unreadOnly: boolean; page: number; pageSize: number }): Promise<{ items: NotificationView[]; total: number; unread: number }>;
  markRead(id: string, user: AuthUser): Promise<NotificationView>;
  markAllRead(user: AuthUser): Promise<number>;
}

export const toNotificationView = (row: NotificationRow): NotificationView => ({
  id: row.id,
  kind: row.kind,
  title: row.title,
  taskId: row.task_id,
  instanceId: row.instance_id,
  actor: row.actor,
  createdAt: new Date(row.created_at).toISOString(),
  readAt: row.read_at ? new Date(row.read_at).toISOString() : null,
});

export function createNotificationService(deps: { db: Knex }): NotificationService {
  const { db } = deps;
  return {
    async list(user, options) {
      const page = await listNotifications(db, user.username, options);
      return { items: page.items.map(toNotificationView), total: page.total, unread: page.unread };
    },
    async markRead(id, user) {
      // another user's notification is answered like a missing one
      const row = await markNotificationRead(db, user.username, requireUuid(id, '通知'));
      if (!row) throw notFound('通知');
      return toNotificationView(row);
    },
    markAllRead: (user) => markAllNotificationsRead(db, user.username),
  };
}

// Server-sent events for the inbox: each connected user gets the changes of tasks they may see and
// their new notifications, whichever process made them. The hub reads two feeds by sequence number —
// inbox_changes (a trigger on user_tasks writes it) and notifications — once per poll for all of its
// connections, and runs only while someone is connected. Each connection re-checks its session at
// every heartbeat (expiry, revocation by another process) and closes at once on a logout here.
import type { Knex } from 'knex';
import type { AuthUser } from '../core/auth-user';
import { sessionEvents } from '../core/auth-events';
import { systemClock, type Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { canSeeTask, taskAccessOf } from '../core/policy';
import { hashToken } from '../core/tokens';
import { inboxChangesAfter, lastInboxChangeSeq, pruneInboxChanges } from '../repositories/inbox-changes';
import { lastNotificationSeq, notificationsAfter } from '../repositories/notifications';
import { findInboxTasks, taskFacts } from '../repositories/user-tasks';
import { toNotificationView } from './notifications';
import { toTaskView } from './tasks';

export interface StreamConnection {
  user: AuthUser;
  /** the session token, to re-check at each heartbeat and to close on its logout */
  token?: string;
  /** re-checks the session: resolves the user, or rejects when the session has ended */
  revalidate?: (token: string) => Promise<AuthUser>;
  send(event: string, data: unknown): void;
  comment(text: string): void;
  close(): void;
}

export interface InboxStreamHub {
  /** Registers a connection; returns the function that unregisters it. */
  subscribe(connection: StreamConnection): () => void;
  /**
   * Resolves once the feeds' read positions are set: every change from then on reaches the
   * connections (a client that reads its inbox after this has missed nothing).
   */
  started(): Promise<void>;
  /** Reads the feeds once and sends what is new (the loop calls it; tests call it directly). */
  poll(): Promise<void>;
  /** Heartbeats and session checks of every connection once (the loop calls it; tests too). */
  heartbeat(): Promise<void>;
  /** Ends every connection and stops the loop. */
  closeAll(): void;
  readonly size: number;
}

export interface InboxStreamOptions {
  db: Knex;
  log?: Logger;
  clock?: Clock;
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
  /** false: no timers at all (tests drive poll and heartbeat) */
  autoStart?: boolean;
}

const BATCH = 500;
const FEED_RETENTION_MS = 10 * 60_000;
const PRUNE_EVERY_MS = 5 * 60_000;

interface Entry extends StreamConnection {
  tokenHash?: string;
}

export function createInboxStreamHub(options: InboxStreamOptions): InboxStreamHub {
  const { db, log } = options;
  const clock = options.clock ?? systemClock;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 20_000;
  const autoStart = options.autoStart ?? true;
  const connections = new Set<Entry>();
  let cursors: { changes: string; notifications: string } | undefined;
  let starting: Promise<void> | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let polling = false;
  let lastPrune = 0;

  const onRevoked = (tokenHash: string) => {
    for (const c of [...connections]) if (c.tokenHash === tokenHash) end(c, 'session-ended');
  };
  const onSignal = () => hub.closeAll();

  function end(c: Entry, reason: string): void {
    if (!connections.delete(c)) return;
    try {
      c.send('end', { reason });
    } finally {
      c.close();
      if (connections.size === 0) stopLoop();
    }
  }

  async function ensureCursors(): Promise<void> {
    if (cursors) return;
    starting ??= Promise.all([lastInboxChangeSeq(db), lastNotificationSeq(db)]).then(([changes, notifications]) => {
      cursors = { changes, notifications };
    });
    await starting;
  }

  function startLoop(): void {
    sessionEvents.on('revoked', onRevoked);
    // long-lived responses would hold a graceful shutdown until its timeout: end them first
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    if (!autoStart) return;
    const tick = () => {
      pollTimer = setTimeout(() => {
        hub.poll().catch((error: unknown) => log?.warn({ err: error }, 'inbox stream poll failed')).finally(() => {
          if (connections.size > 0) tick();
        });
      }, pollIntervalMs);
      pollTimer.unref();
    };
    tick();
    heartbeatTimer = setInterval(() => void hub.heartbeat(), heartbeatIntervalMs);
    heartbeatTimer.unref();
  }

  function stopLoop(): void {
    sessionEvents.off('revoked', onRevoked);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    if (pollTimer) clearTimeout(pollTimer);
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    pollTimer = heartbeatTimer = undefined;
    cursors = undefined;
    starting = undefined;
  }

  const hub: InboxStreamHub = {
    get size() {
      return connections.size;
    },

    subscribe(connection) {
      const entry: Entry = { ...connection, tokenHash: connection.token ? hashToken(connection.token) : undefined };
      const first = connections.size === 0;
      connections.add(entry);
      if (first) startLoop();
      void ensureCursors().catch((error: unknown) => log?.warn({ err: error }, 'inbox stream could not start'));
      return () => {
        if (connections.delete(entry) && connections.size === 0) stopLoop();
      };
    },

    started: () => ensureCursors(),

    async poll() {
      if (polling || connections.size === 0) return;
      polling = true;
      try {
        await ensureCursors();
        const current = cursors;
        if (!current) return;
        const changes = await inboxChangesAfter(db, current.changes, BATCH);
        if (changes.length) {
          current.changes = changes[changes.length - 1]!.seq;
          const tasks = new Map((await findInboxTasks(db, [...new Set(changes.map((c) => c.task_id))])).map((t) => [t.id, t]));
          const oldAssignees = new Map<string, Set<string>>();
          for (const c of changes) if (c.old_assignee) (oldAssignees.get(c.task_id) ?? oldAssignees.set(c.task_id, new Set()).get(c.task_id)!).add(c.old_assignee);
          const now = clock();
          for (const c of connections) {
            const access = taskAccessOf(c.user);
            for (const task of tasks.values()) {
              if (canSeeTask(access, taskFacts(task))) c.send('task', toTaskView(task, c.user, now));
              else if (oldAssignees.get(task.id)?.has(c.user.username)) c.send('task-removed', { id: task.id });
            }
          }
        }
        const notes = await notificationsAfter(db, current.notifications, BATCH);
        if (notes.length) {
          current.notifications = notes[notes.length - 1]!.seq;
          for (const c of connections) for (const n of notes) if (n.username === c.user.username) c.send('notification', toNotificationView(n));
        }
        if (clock().getTime() - lastPrune > PRUNE_EVERY_MS) {
          lastPrune = clock().getTime();
          await pruneInboxChanges(db, new Date(lastPrune - FEED_RETENTION_MS));
        }
      } finally {
        polling = false;
      }
    },

    async heartbeat() {
      for (const c of [...connections]) {
        if (c.token && c.revalidate) {
          const user = await c.revalidate(c.token).then(
            (current) => current,
            () => null,
          );
          if (!user) {
            end(c, 'session-ended');
            continue;
          }
          // what the user may see from now on: roles, department or unit may have changed
          c.user = user;
        }
        if (connections.has(c)) c.comment(`heartbeat ${clock().toISOString()}`);
      }
    },

    closeAll() {
      for (const c of [...connections]) end(c, 'server-stopping');
      stopLoop();
    },
  };
  return hub;
}

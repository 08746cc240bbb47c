// Notices of committed changes from the database (PostgreSQL LISTEN/NOTIFY, also in PGlite), so
// that what a server keeps in memory between requests is forgotten when another process — or this
// one — changes what it was read from. A cache may serve only while its channel is `live`: while
// the listening connection is down nothing would be heard, so nothing may be served from memory;
// and on every drop and reconnect the subscribers are told to forget, as notices may have been missed.
import type { PGlite } from '@electric-sql/pglite';
import type { Knex } from 'knex';
import pg from 'pg';
import type { Logger } from './logger';

/** Announced by the triggers of migrations/20261124000800_create_auth_change_notices.ts. */
export const AUTH_CHANGED = 'bzf_auth_changed';

const CHANNEL_NAME = /^[a-z_]+$/;
const RECONNECT_MS = 1000;

export interface ChangeFeed {
  /** whether a notice on `channel` would be heard now */
  live(channel: string): boolean;
  /** Calls `onChange` at each notice on `channel`, and whenever notices may have been missed. Returns the unsubscribe. */
  subscribe(channel: string, onChange: () => void): () => void;
  close(): Promise<void>;
}

abstract class Subscribers {
  protected readonly handlers = new Map<string, Set<() => void>>();

  protected add(channel: string, onChange: () => void): () => void {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`not a channel name: ${channel}`);
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(onChange);
    return () => set!.delete(onChange);
  }

  protected fire(channel: string): void {
    for (const handler of this.handlers.get(channel) ?? []) handler();
  }

  protected fireAll(): void {
    for (const channel of this.handlers.keys()) this.fire(channel);
  }
}

/** One connection of its own that LISTENs, reconnecting after a drop. */
export class PostgresChangeFeed extends Subscribers implements ChangeFeed {
  private client: pg.Client | null = null;
  private readonly listening = new Set<string>();
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {
    super();
  }

  live(channel: string): boolean {
    return this.listening.has(channel);
  }

  subscribe(channel: string, onChange: () => void): () => void {
    const unsubscribe = this.add(channel, onChange);
    if (!this.client) void this.connect();
    else if (!this.listening.has(channel)) {
      const client = this.client;
      this.listen(client, channel).catch(() => this.dropped(client));
    }
    return unsubscribe;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.dropped(client);
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed || this.client) return;
    // keepAlive: a connection cut without a word (a network drop) must end, so that the feed knows it is deaf
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, keepAliveInitialDelayMillis: 10_000, connectionTimeoutMillis: 10_000 });
    this.client = client;
    client.on('notification', (message) => this.fire(message.channel));
    client.on('error', (err) => {
      this.log.warn({ err: err.message }, 'change feed connection lost');
      this.dropped(client);
    });
    client.on('end', () => this.dropped(client));
    try {
      await client.connect();
      for (const channel of [...this.handlers.keys()]) await this.listen(client, channel);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'change feed cannot listen');
      this.dropped(client);
      await client.end().catch(() => undefined);
    }
  }

  private async listen(client: pg.Client, channel: string): Promise<void> {
    await client.query(`listen ${channel}`);
    if (this.client !== client) return;
    this.listening.add(channel);
    // whatever was kept before this moment was not covered by notices
    this.fire(channel);
  }

  private dropped(client: pg.Client | null): void {
    if (!client || this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.listening.clear();
    this.fireAll();
    if (!this.closed) {
      this.retry = setTimeout(() => void this.connect(), RECONNECT_MS);
      this.retry.unref();
    }
  }
}

/**
 * PGlite: one process, its own notices. LISTEN goes through knex — PGlite's one connection, in
 * turn with every other query (PGlite's own listen() would cut into a knex transaction); the
 * notices come back through PGlite's notification hook.
 */
export class PgliteChangeFeed extends Subscribers implements ChangeFeed {
  private readonly listening = new Set<string>();
  private readonly stopHearing: () => void;

  constructor(
    private readonly knex: Knex,
    pglite: PGlite,
  ) {
    super();
    this.stopHearing = pglite.onNotification((channel) => this.fire(channel));
  }

  live(channel: string): boolean {
    return this.listening.has(channel);
  }

  subscribe(channel: string, onChange: () => void): () => void {
    const unsubscribe = this.add(channel, onChange);
    if (this.handlers.get(channel)!.size === 1 && !this.listening.has(channel)) {
      this.knex.raw(`listen ${channel}`).then(
        () => {
          this.listening.add(channel);
          this.fire(channel);
        },
        () => undefined, // not listening: nothing is served from memory
      );
    }
    return unsubscribe;
  }

  async close(): Promise<void> {
    this.listening.clear();
    this.stopHearing();
  }
}

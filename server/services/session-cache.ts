// The signed-in user of each session token, kept between requests so that a request does not cost
// a lookup (users ⋈ roles ⋈ units, planned afresh each time). Served only while the database's
// change notices are heard (core/change-feed.ts): any change to sessions, users, roles or units,
// by any process, empties it once committed; a logout or an administrator's change in this process
// empties it at once. Each entry lives no longer than its session and at most MAX_AGE_MS.
import { sessionEvents } from '../core/auth-events';
import type { AuthUser } from '../core/auth-user';
import { AUTH_CHANGED, type ChangeFeed } from '../core/change-feed';

const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 10_000;

export class SessionCache {
  private readonly entries = new Map<string, { user: AuthUser; until: number }>();
  /** moves on with every change heard: a lookup that began before it may not be kept */
  private generation = 0;

  constructor(private readonly feed: ChangeFeed | undefined) {
    feed?.subscribe(AUTH_CHANGED, () => this.clear());
    sessionEvents.on('revoked', (tokenHash: string) => this.forget(tokenHash));
    sessionEvents.on('users-changed', () => this.clear());
  }

  get(tokenHash: string, now: number): AuthUser | undefined {
    if (!this.feed?.live(AUTH_CHANGED)) return undefined;
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.until > now) return entry.user;
    this.entries.delete(tokenHash);
    return undefined;
  }

  /** Where a lookup starts from: pass it to `keep`. */
  mark(): number {
    return this.generation;
  }

  /** Keeps what a lookup begun at `mark` found, unless something changed since. */
  keep(tokenHash: string, user: AuthUser, sessionExpiresAt: number, now: number, mark: number): void {
    if (mark !== this.generation || !this.feed?.live(AUTH_CHANGED)) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(tokenHash, { user: freeze(user), until: Math.min(sessionExpiresAt, now + MAX_AGE_MS) });
  }

  forget(tokenHash: string): void {
    this.generation++;
    this.entries.delete(tokenHash);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}

/** One object answers many requests: none of them may change it. */
function freeze(user: AuthUser): AuthUser {
  for (const value of Object.values(user)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(user);
}

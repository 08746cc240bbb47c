import { hostname } from 'node:os';
import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Logger } from './logger';

/**
 * An exclusive lock on a data directory, so that a second process never opens the same PGlite files
 * (two processes on one PGlite directory silently lose writes). proper-lockfile keeps a lock
 * directory fresh; we also record the owner's pid so that a lock left by a killed process on this
 * host is taken over at once instead of after the stale period.
 */

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number | undefined,
  ) {
    const who = ownerPid === undefined ? '' : `（pid ${ownerPid}）`;
    const whoEn = ownerPid === undefined ? '' : ` (pid ${ownerPid})`;
    super(
      `数据目录 ${dataDir} 已被另一个 bianzhi-flow 进程${who}占用。请先停止该进程；` +
        `如需多个进程同时运行，请设置 DATABASE_URL 使用 PostgreSQL。\n` +
        `The data directory ${dataDir} is in use by another bianzhi-flow process${whoEn}. Stop that process first; ` +
        `to run several processes, set DATABASE_URL to use PostgreSQL.`,
    );
    this.name = 'DataDirLockedError';
  }
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

const LOCK_NAME = 'bianzhi-flow.lock';
const OWNER_FILE = 'owner.json';
/**
 * PGlite runs on the main thread: its first start (initdb) and large queries block the event loop for
 * many seconds, so the lock's freshness must tolerate long pauses. A killed process on this host is
 * detected by pid at once; the stale period only matters for owners on other hosts.
 */
const STALE_MS = 5 * 60_000;
const UPDATE_MS = 10_000;

export interface DataDirLock {
  readonly dataDir: string;
  release(): Promise<void>;
}

export async function acquireDataDirLock(dataDir: string, log?: Logger): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  const lockPath = join(dir, LOCK_NAME);
  const state = { releasing: false };
  const release = await lockOrTakeOver(dir, lockPath, state, log);
  await recordOwner(lockPath);
  return {
    dataDir: dir,
    async release() {
      if (state.releasing) return;
      state.releasing = true;
      // proper-lockfile removes the lock with rmdir, which needs it empty.
      await rm(join(lockPath, OWNER_FILE), { force: true });
      await release();
    },
  };
}

/**
 * Writes owner.json inside the lock directory, then puts the directory's mtime back: proper-lockfile
 * treats any mtime it did not set itself as a compromised lock.
 */
async function recordOwner(lockPath: string): Promise<void> {
  const before = await stat(lockPath);
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  await writeFile(join(lockPath, OWNER_FILE), JSON.stringify(owner));
  await utimes(lockPath, before.atime, before.mtime);
}

async function lockOrTakeOver(
  dir: string,
  lockPath: string,
  state: { releasing: boolean },
  log?: Logger,
): Promise<() => Promise<void>> {
  const options = {
    lockfilePath: lockPath,
    stale: STALE_MS,
    update: UPDATE_MS,
    onCompromised: (error: Error) => {
      if (state.releasing) return; // removing owner.json during release touches the mtime
      log?.fatal({ err: error, dataDir: dir }, 'data directory lock lost; another process may open the same files');
      throw error;
    },
  };
  try {
    return await lockfile.lock(dir, options);
  } catch (error) {
    if (!isLockedError(error)) throw error;
    const owner = await readOwner(lockPath);
    if (owner && owner.host === hostname() && owner.pid !== process.pid && !isProcessAlive(owner.pid)) {
      log?.warn({ dataDir: dir, deadPid: owner.pid }, 'taking over the data directory lock of a process that is gone');
      await rm(lockPath, { recursive: true, force: true });
      try {
        return await lockfile.lock(dir, options);
      } catch (retryError) {
        if (isLockedError(retryError)) throw new DataDirLockedError(dir, (await readOwner(lockPath))?.pid);
        throw retryError;
      }
    }
    throw new DataDirLockedError(dir, owner?.pid);
  }
}

function isLockedError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'ELOCKED';
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(join(lockPath, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string'
      ? { pid: owner.pid, host: owner.host, since: String(owner.since) }
      : undefined;
  } catch {
    return undefined; // being written right now, or unreadable: treat the owner as alive
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireDataDirLock, DataDirLockedError } from '../../server/core/data-dir-lock';
import { openDatabase } from '../../server/core/db';
import { createSilentLogger } from '../../server/core/logger';

const log = createSilentLogger();
const LOCK_HOLDER = fileURLToPath(new URL('../support/hold-data-dir-lock.ts', import.meta.url));

/** Starts a process that takes the lock and waits; resolves with its pid once it holds the lock. */
function lockInChildProcess(dataDir: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOCK_HOLDER, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('error', reject);
    child.stdout.on('data', (chunk: Buffer) => {
      if (String(chunk).includes('locked')) {
        resolve({
          pid: child.pid!,
          kill: async () => {
            child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
  });
}

describe('data directory lock (PGlite)', function () {
  this.timeout(60_000);
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bzf-lock-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a second opener of the same directory with a zh-CN and English message', async () => {
    // given the directory locked by this process
    const held = await acquireDataDirLock(dataDir);
    try {
      // when openDatabase is asked for the same directory
      // then it fails before touching PGlite, naming the owner
      await assert.rejects(openDatabase({ databaseUrl: undefined, dataDir, dbPoolMax: 1 }, log), (error: unknown) => {
        assert.ok(error instanceof DataDirLockedError);
        assert.match(error.message, /已被另一个 bianzhi-flow 进程/);
        assert.match(error.message, /in use by another bianzhi-flow process/);
        assert.match(error.message, new RegExp(`pid ${process.pid}`));
        assert.match(error.message, /DATABASE_URL/);
        return true;
      });
    } finally {
      await held.release();
    }
  });

  it('refuses the directory while another live process holds it', async () => {
    // given another process holding the lock
    const other = await lockInChildProcess(dataDir);
    try {
      // when this process tries
      // then it is refused, naming the other pid
      await assert.rejects(acquireDataDirLock(dataDir), (error: unknown) =>
        error instanceof DataDirLockedError && error.ownerPid === other.pid);
    } finally {
      await other.kill();
    }
  });

  it('takes over at once a lock left by a process that was killed', async () => {
    // given a process that took the lock and was SIGKILLed (its lock directory is left behind)
    const other = await lockInChildProcess(dataDir);
    await other.kill();
    assert.ok(await stat(join(dataDir, 'bianzhi-flow.lock')));
    // when this process asks for it
    const lock = await acquireDataDirLock(dataDir);
    // then it gets it, and releasing removes the lock directory
    await lock.release();
    await assert.rejects(stat(join(dataDir, 'bianzhi-flow.lock')), { code: 'ENOENT' });
  });

  it('can be taken again after release', async () => {
    const first = await acquireDataDirLock(dataDir);
    await first.release();
    const second = await acquireDataDirLock(dataDir);
    await second.release();
  });
});

describe('openDatabase without DATABASE_URL', function () {
  this.timeout(120_000);

  it('opens PGlite in DATA_DIR, keeps data across a reopen, and releases the lock on close', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'bzf-pglite-'));
    try {
      // given a database opened in a fresh directory with a row written
      const first = await openDatabase({ databaseUrl: undefined, dataDir, dbPoolMax: 1 }, log);
      assert.equal(first.kind, 'pglite');
      await first.knex.raw('create table kept (v text)');
      await first.knex('kept').insert({ v: '持久' });
      await first.close();
      // when it is opened again
      const second = await openDatabase({ databaseUrl: undefined, dataDir, dbPoolMax: 1 }, log);
      try {
        // then the row is there
        assert.deepEqual(await second.knex('kept').select('v'), [{ v: '持久' }]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('openDatabase with an unreachable DATABASE_URL', () => {
  it('fails with a clear message that hides the password', async () => {
    const url = 'postgres://app:topsecret@127.0.0.1:1/nothing';
    await assert.rejects(openDatabase({ databaseUrl: url, dataDir: '', dbPoolMax: 1 }, log), (error: Error) => {
      assert.match(error.message, /无法连接数据库/);
      assert.match(error.message, /Cannot connect to the database/);
      assert.doesNotMatch(error.message, /topsecret/);
      return true;
    });
  });
});

// Real processes for the durability tests: servers spawned as `node --import tsx server/main.ts`
// on a scratch database, a spawned worker process, an HTTP client that tells a dead server from an
// answer, polling with a deadline, and the checks every durability test makes on the database.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { contentOf, GENESIS_HASH, hashAuditEvent, type AuditEventRow } from '../../server/repositories/audit-events';
import { testServerUrl } from '../support/db';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function fixture(name: string): { name: string; content: string } {
  return { name, content: readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8') };
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The connection URL of a scratch database opened by openScratchDatabase (same server, its own name). */
export async function databaseUrlOf(knex: Knex): Promise<string> {
  const { rows } = await knex.raw<{ rows: Array<{ name: string }> }>('select current_database() as name');
  const url = new URL(testServerUrl!);
  url.pathname = `/${rows[0].name}`;
  return url.toString();
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

// ---- spawned processes ----

const alive = new Set<Spawned>();
// mocha runs with --exit: whatever an after() hook could not reach dies with the test process
process.once('exit', () => {
  for (const proc of alive) proc.child.kill('SIGKILL');
});

/** A child node process (tsx loader) whose output is kept for failure messages and read line by line. */
export class Spawned {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly tail: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(
    readonly name: string,
    args: string[],
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    alive.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        alive.delete(this);
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) this.onLine(line);
      });
    }
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  /** The last lines of output, for a failure message. */
  output(lines = 40): string {
    return this.tail.slice(-lines).join('\n');
  }

  /** Lines matching the pattern seen so far (the last 2,000 lines are kept). */
  linesMatching(pattern: RegExp): string[] {
    return this.tail.filter((line) => pattern.test(line));
  }

  /** Resolves with the next line (from now on) that matches; fails at the deadline or when the process exits. */
  nextLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        fn();
      };
      const listener = (line: string) => {
        if (pattern.test(line)) done(() => resolve(line));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.name}: no line matching ${pattern} within ${timeoutMs} ms\n${this.output()}`))), timeoutMs);
      this.listeners.add(listener);
      void this.exited.then(({ code, signal }) => {
        if (this.listeners.has(listener)) done(() => reject(new Error(`${this.name} exited (code ${code}, signal ${signal}) before printing ${pattern}\n${this.output()}`)));
      });
    });
  }

  /** Sends the signal and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    await this.exited;
  }

  private onLine(line: string): void {
    this.tail.push(line);
    if (this.tail.length > 2000) this.tail.shift();
    for (const listener of [...this.listeners]) listener(line);
  }
}

/** SIGKILLs every spawned process still running (after() hooks; also on exit of the test process). */
export async function killAllSpawned(): Promise<void> {
  await Promise.all([...alive].map((proc) => proc.kill('SIGKILL')));
}

export interface ServerOptions {
  databaseUrl: string;
  port: number;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

/** Spawns `server/main.ts` in demo mode on the database and waits for /api/health to answer 200. */
export async function startServer(name: string, options: ServerOptions): Promise<{ proc: Spawned; baseUrl: string; startMs: number }> {
  const began = Date.now();
  const proc = new Spawned(name, ['server/main.ts'], {
    DATABASE_URL: options.databaseUrl,
    DEMO: '1',
    PORT: String(options.port),
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const api = new Api(baseUrl);
  await waitUntil(`${name} to answer /api/health`, options.startTimeoutMs ?? 30_000, async () => {
    if (!proc.running) throw new Error(`${name} exited during start (code ${proc.child.exitCode}, signal ${proc.child.signalCode})\n${proc.output()}`);
    const res = await api.call('GET', '/api/health', { timeoutMs: 1000 }).catch(() => null);
    return res?.status === 200 ? true : undefined;
  }).catch(async (err: Error) => {
    await proc.kill('SIGKILL'); // a server that did not come up is not left behind
    throw new Error(`${err.message}\n${proc.output()}`);
  });
  return { proc, baseUrl, startMs: Date.now() - began };
}

// ---- HTTP ----

/** The request never got an answer: the server is down, or died while it worked. */
export class NoAnswer extends Error {
  constructor(readonly method: string, readonly path: string, cause: unknown) {
    super(`${method} ${path}: no answer (${cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause)})`);
    this.name = 'NoAnswer';
  }
}

export interface Answer {
  status: number;
  body: any;
}

export class Api {
  /** requests sent and not yet answered or failed */
  inFlight = 0;

  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, options: { token?: string; body?: unknown; form?: FormData; timeoutMs?: number } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    this.inFlight++;
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new NoAnswer(method, path, err);
    } finally {
      this.inFlight--;
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new NoAnswer(method, path, err);
    }
    return { status: res.status, body: text ? safeJson(text) : null };
  }

  async login(username: string, password = 'demo'): Promise<string> {
    const res = await this.call('POST', '/api/session', { body: { username, password } });
    if (res.status !== 201) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data.token as string;
  }

  async deploy(token: string, files: Array<{ name: string; content: string }>): Promise<Answer> {
    const form = new FormData();
    for (const file of files) form.append('resources', new Blob([file.content], { type: 'application/xml' }), file.name);
    return this.call('POST', '/api/deployments', { token, form });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---- waiting ----

/** Polls `probe` until it returns a value other than undefined; fails with `what` at the deadline. */
export async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(intervalMs);
  }
}

/** Runs `work` on every item with at most `limit` at a time. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}

// ---- what the database must show ----

/**
 * Every link of the audit log, in seq order: each row's prev_hash is the hash of the row before it
 * (the first one's is the genesis hash), and each hash is sha256(prev_hash || canonical body).
 * Returns the broken links (empty when the chain is intact) and the number of rows checked.
 */
export async function auditChainProblems(knex: Knex): Promise<{ rows: number; problems: string[] }> {
  const rows: AuditEventRow[] = await knex('audit_events').orderBy('seq');
  const problems: string[] = [];
  let previous = GENESIS_HASH;
  for (const row of rows) {
    if (row.prev_hash !== previous) problems.push(`seq ${row.seq} (${row.kind}): prev_hash ${row.prev_hash.slice(0, 12)}… is not the previous row's hash ${previous.slice(0, 12)}…`);
    const expected = hashAuditEvent(row.prev_hash, contentOf(row));
    if (expected !== row.hash) problems.push(`seq ${row.seq} (${row.kind}): hash does not cover its content`);
    previous = row.hash;
  }
  return { rows: rows.length, problems };
}

/** Audit events of one kind counted per key (an expression over the row), only counts other than `expected`. */
export async function countsOtherThan(knex: Knex, kind: string, keySql: string, expected: number): Promise<Array<{ key: string; count: number }>> {
  const { rows } = await knex.raw<{ rows: Array<{ key: string; count: string }> }>(
    `select ${keySql} as key, count(*) as count from audit_events where kind = ? group by 1 having count(*) <> ?`,
    [kind, expected],
  );
  return rows.map((r) => ({ key: r.key, count: Number(r.count) }));
}

/**
 * For every instance of the process: the elements completed, each with its count. Returns the
 * instances whose completed elements are not exactly `path`, each once.
 */
export async function instancesOffPath(knex: Knex, processId: string, path: readonly string[]): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: Array<{ id: string; completed: Record<string, number> | null }> }>(
    `select i.id,
            (select jsonb_object_agg(element_id, n) from (
               select element_id, count(*) as n from audit_events a
               where a.instance_id = i.id and a.kind = 'element.completed' group by element_id) c) as completed
       from process_instances i where i.process_id = ?`,
    [processId],
  );
  const want = JSON.stringify(Object.fromEntries([...path].sort().map((id) => [id, 1])));
  return rows
    .filter((r) => JSON.stringify(Object.fromEntries(Object.entries(r.completed ?? {}).sort(([a], [b]) => a.localeCompare(b)))) !== want)
    .map((r) => `${r.id}: ${JSON.stringify(r.completed)}`);
}

/** Rows still open after every instance ended (jobs, inbox tasks, timers, subscriptions, commands, incidents). */
export async function openRows(knex: Knex): Promise<Record<string, number>> {
  const count = async (query: Knex.QueryBuilder) => Number(((await query.count<{ count: string }[]>('* as count')) as Array<{ count: string }>)[0].count);
  return {
    jobs: await count(knex('jobs').whereNot({ state: 'completed' })),
    userTasks: await count(knex('user_tasks').whereNot({ state: 'completed' })),
    timers: await count(knex('timers').whereNot({ state: 'fired' })),
    subscriptions: await count(knex('message_subscriptions').where({ state: 'open' })),
    commands: await count(knex('engine_commands')),
    incidents: await count(knex('incidents')),
  };
}

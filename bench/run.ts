// npm run bench — throughput and step latency of the embedded engine on real PostgreSQL, and the
// server's memory with 100,000 instances waiting at a user task. Prints a Markdown report with the
// machine facts; copy it into docs/benchmarks.md.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench [-- --a 2000 --b 300 --warmup 300 --waiting 100000 --processes 2 --no-stats]
//
// Before the measured runs, --warmup instances of (a) and a tenth as many of (b) bring the servers' JIT
// and connection pools to their steady state (not measured; --warmup 0 skips it).
//
// --profile DIR writes a V8 CPU profile of each server process into DIR (node --cpu-prof), to see where the time goes.
//
// Then, unless --no-stats, the statistics benchmark bench/stats.ts (npm run bench:stats) as a separate step.
//
// It makes its own database `bzf_bench` on that server afresh at each run, and leaves it for a look afterwards.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import knexFactory, { type Knex } from 'knex';
import { freshDatabase, serverUrlOrExit } from './database';
import { HttpClient } from './http-client';
import { Latencies } from './latencies';
import { machineFacts } from './machine';

const args = parseArgs(process.argv.slice(2));
const BENCH_DB = 'bzf_bench';
/** the node flags of `npm start` (package.json): the benchmark's servers run as the real one does */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=32'];

async function main(): Promise<void> {
  const benchUrl = await freshDatabase(serverUrlOrExit('npm run bench'), BENCH_DB);
  const knex = knexFactory({ client: 'pg', connection: benchUrl, pool: { min: 1, max: 4 } });
  const servers = await startServers(benchUrl, args.processes);
  const apis = servers.map((s) => new Api(s.url));
  try {
    // a different 编办 user on each server, as several clerks share one inbox
    const people = ['bianban-clerk', 'bianban-leader'];
    for (const [i, api] of apis.entries()) {
      await api.login('policy-editor');
      await api.login(people[i % people.length]);
    }
    await apis[0].as('policy-editor').deploy(['bench.one-service-task.bpmn', 'bench.mixed.bpmn', 'bench.waiting.bpmn']);
    const clerks = apis.map((api, i) => api.as(people[i % people.length]));
    const report: string[] = [await machineFactsOf(knex, args.processes)];

    // the servers' JIT and connection pools reach their steady state first: a short run of each, not measured
    if (args.warmup) {
      await runA(clerks, knex, args.warmup, new Latencies());
      await runB(clerks, knex, Math.ceil(args.warmup / 10), new Latencies());
    }

    // (a) one service task: started through the HTTP API, the job done by the servers' in-process workers
    const startLatency = new Latencies();
    const a = await runA(clerks, knex, args.a, startLatency);
    report.push(section(`(a) one service task — ${args.a} instances`, a, startLatency, await instanceDurations(knex, 'bench-one-service-task', a.since)));

    // (b) 5 service tasks + 3 user tasks, the user tasks listed, claimed and completed through the HTTP API
    const inboxLatency = new Latencies();
    const b = await runB(clerks, knex, args.b, inboxLatency);
    report.push(section(`(b) 5 service tasks + 3 user tasks through the HTTP API — ${args.b} instances`, b, inboxLatency, await instanceDurations(knex, 'bench-mixed', b.since)));

    // (c) memory of one server process with many instances waiting
    const real = Math.min(1000, args.waiting);
    await runConcurrently(real, 16, (i) => clerks[i % clerks.length].start('bench-waiting'));
    await stopServers(servers);
    report.push(await waitingMemory(knex, benchUrl, real, args.waiting));
    console.log(report.join('\n\n'));
  } finally {
    for (const api of apis) api.close();
    await stopServers(servers);
    await knex.destroy();
  }
  // the analytics on 1,000,000 persons (bench/stats.ts, its own database): a separate step; --no-stats skips it
  if (args.stats) await runStep(['--import', 'tsx', 'bench/stats.ts']);
}

function runStep(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { env: process.env, stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(' ')} exited with ${code}`))));
  });
}

interface RunningServer {
  url: string;
  child: ReturnType<typeof spawn>;
}

/** `count` server processes on one database (the topology of several servers on one PostgreSQL). */
async function startServers(databaseUrl: string, count: number): Promise<RunningServer[]> {
  const servers: RunningServer[] = [];
  for (let i = 0; i < count; i++) {
    const port = 3800 + i * 7 + Math.floor(Math.random() * 5);
    const profile = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];
    const child = spawn(process.execPath, [...profile, ...SERVER_NODE_FLAGS, '--import', 'tsx', 'bench/server.ts'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, DEMO: '1', PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    servers.push({ url: `http://127.0.0.1:${port}`, child });
    await new Api(`http://127.0.0.1:${port}`).waitForHealth();
  }
  return servers;
}

async function stopServers(servers: RunningServer[]): Promise<void> {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
          s.child.once('exit', () => resolve());
          s.child.kill('SIGTERM');
        }),
    ),
  );
}

async function timed<T>(latencies: Latencies, name: string, work: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await work();
  } finally {
    latencies.add(name, performance.now() - t);
  }
}

/** Start-to-end time of each instance started since `since` and completed, from the instance rows. */
async function instanceDurations(knex: Knex, processId: string, since: Date): Promise<Latencies> {
  const rows: { ms: number }[] = (
    await knex.raw(`select extract(epoch from (ended_at - created_at)) * 1000 as ms from process_instances where process_id = ? and state = 'completed' and created_at >= ?`, [processId, since])
  ).rows;
  const latencies = new Latencies();
  for (const row of rows) latencies.add('instance, start to end', Number(row.ms));
  return latencies;
}

// ---- scenarios ----

function runA(clerks: Api[], knex: Knex, count: number, latencies: Latencies): Promise<Throughput> {
  return throughput(knex, 'bench-one-service-task', count, async () => {
    await runConcurrently(count, 16, (i) => timed(latencies, 'POST /api/process-instances', () => clerks[i % clerks.length].start('bench-one-service-task')));
  });
}

function runB(clerks: Api[], knex: Knex, count: number, latencies: Latencies): Promise<Throughput> {
  return throughput(knex, 'bench-mixed', count, async (target) => {
    await runConcurrently(count, 8, (i) => timed(latencies, 'POST /api/process-instances', () => clerks[i % clerks.length].start('bench-mixed')));
    await Promise.all(clerks.map((clerk, i) => workThroughInbox(clerk, { index: i, of: clerks.length }, knex, 'bench-mixed', target, latencies)));
  });
}

interface Throughput {
  seconds: number;
  perSecond: number;
  /** the database's time when the run began: its instances are those created since */
  since: Date;
}

/** Runs `drive` and waits until `count` more instances of the process have completed (`target` in all). */
async function throughput(knex: Knex, processId: string, count: number, drive: (target: number) => Promise<void>): Promise<Throughput> {
  const completed = async () => Number((await knex('process_instances').where({ process_id: processId, state: 'completed' }).count<{ n: string }[]>('* as n'))[0].n);
  const target = (await completed()) + count;
  const since: Date = (await knex.raw('select now() as now')).rows[0].now;
  const started = performance.now();
  await drive(target);
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const n = await completed();
    if (n >= target) break;
    if (Date.now() > deadline) throw new Error(`${processId}: only ${n} of ${target} completed in 30 min`);
    await sleep(20);
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: count / seconds, since };
}

/**
 * One clerk working the shared inbox: lists the oldest tasks and takes its share of the page (the
 * clerks split a page as colleagues split a pile); a task another clerk claimed first answers 409.
 */
async function workThroughInbox(clerk: Api, share: { index: number; of: number }, knex: Knex, processId: string, target: number, latencies: Latencies): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const page = await timed(latencies, 'GET /api/tasks', () => clerk.get(`/api/tasks?processKey=${processId}&pageSize=20&sort=created`));
    const listed: { id: string }[] = page.data;
    const tasks = listed.length > share.of ? listed.filter((_, i) => i % share.of === share.index) : listed;
    if (!listed.length) {
      const [{ n }] = await knex('process_instances').where({ process_id: processId, state: 'completed' }).count<{ n: string }[]>('* as n');
      if (Number(n) >= target) return;
      if (Date.now() > deadline) throw new Error('inbox work did not finish');
      await sleep(10);
      continue;
    }
    await runConcurrently(tasks.length, 4, async (i) => {
      const claim = await timed(latencies, 'POST /api/tasks/:id/claim', () => clerk.post(`/api/tasks/${tasks[i].id}/claim`, {}));
      if (claim?.error) return;
      await timed(latencies, 'POST /api/tasks/:id/complete', () => clerk.post(`/api/tasks/${tasks[i].id}/complete`, { variables: {} }));
    });
  }
}

async function waitingMemory(knex: Knex, benchUrl: string, real: number, waiting: number): Promise<string> {
  // Clone the waiting instances in SQL up to the target: each copy is an instance waiting at the
  // same user task with its own ids, as the engine would have written it.
  const copies = Math.ceil(waiting / real) - 1;
  const cloneStarted = performance.now();
  if (copies > 0) {
    await knex.raw(
      `with src as (select i.*, t.id as task_id, t.execution_id as task_execution from process_instances i join user_tasks t on t.instance_id = i.id where i.process_id = 'bench-waiting' and t.state = 'created'),
       copies as (select gen_random_uuid() as new_id, s.* from src s cross join generate_series(1, ?) g),
       ins as (insert into process_instances (id, definition_id, process_id, version, business_key, state, start_event_id, engine_state, variables, started_by, step_count)
               select new_id, definition_id, process_id, version, business_key, state, start_event_id, engine_state, variables, started_by, step_count from copies returning id)
       insert into user_tasks (instance_id, process_id, element_id, execution_id, name, candidate_groups, candidate_users, priority, variables)
       select c.new_id, c.process_id, 'Task_Wait', c.task_execution, '等待办理', '{bianban}', '{}', 50, '{}' from copies c`,
      [copies],
    );
  }
  const [{ n }] = await knex('process_instances').where({ process_id: 'bench-waiting', state: 'active' }).count<{ n: string }[]>('* as n');
  const cloneSeconds = (performance.now() - cloneStarted) / 1000;

  const port = 3900 + Math.floor(Math.random() * 90);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, DATABASE_URL: benchUrl, DEMO: '1', PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const server = new Api(`http://127.0.0.1:${port}`);
  try {
    await server.waitForHealth();
    await server.login('bianban-clerk');
    const samples: number[] = [rssOf(child.pid!)];
    const listed = await server.get('/api/tasks?processKey=bench-waiting&pageSize=50');
    samples.push(rssOf(child.pid!));
    const toComplete: { id: string }[] = listed.data.slice(0, 50);
    for (const task of toComplete) {
      await server.post(`/api/tasks/${task.id}/claim`, {});
      await server.post(`/api/tasks/${task.id}/complete`, { variables: {} });
      samples.push(rssOf(child.pid!));
    }
    for (let page = 1; page <= 20; page++) {
      await server.get(`/api/tasks?processKey=bench-waiting&pageSize=200&page=${page}`);
      samples.push(rssOf(child.pid!));
    }
    const peak = Math.max(...samples);
    return [
      `### (c) server memory with ${Number(n).toLocaleString('en')} instances waiting at a user task`,
      '',
      `${real} instances started through the API, cloned in SQL to ${Number(n).toLocaleString('en')} (${cloneSeconds.toFixed(1)} s). A fresh server process (\`node ${SERVER_NODE_FLAGS.join(' ')} --import tsx server/main.ts\`, as \`npm start\`) then listed the inbox (total ${listed.meta.total.toLocaleString('en')}), claimed and completed ${toComplete.length} tasks and paged through 20 × 200 tasks.`,
      '',
      `| measure | value |`,
      `|---|---|`,
      `| server RSS after start | ${mb(samples[0])} |`,
      `| server RSS peak | ${mb(peak)} |`,
      `| server RSS at the end | ${mb(samples[samples.length - 1])} |`,
    ].join('\n');
  } finally {
    server.close();
    // gone before this run ends: a run right after must not find it on its port or its database
    await stopServers([{ url: '', child }]);
  }
}

// ---- helpers ----

function section(title: string, result: Throughput, requests: Latencies, instances: Latencies): string {
  return [
    `### ${title}`,
    '',
    `**${result.perSecond.toFixed(1)} instances/s** (${result.seconds.toFixed(1)} s from the first start to the last completion)`,
    '',
    '| measured | count | p50 ms | p99 ms |',
    '|---|---|---|---|',
    ...[...requests.rows(), ...instances.rows()].map((r) => `| ${r.name} | ${r.count} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`),
  ].join('\n');
}

function machineFactsOf(knex: Knex, processes: number): Promise<string> {
  return machineFacts(knex, [['server processes', `${processes} (each: HTTP API, embedded engine, in-process workers); the load generator is a third process on the same machine`]]);
}

async function runConcurrently(count: number, concurrency: number, task: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

function parseArgs(argv: string[]): { a: number; b: number; warmup: number; waiting: number; processes: number; profile: string | null; stats: boolean } {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const profileAt = argv.indexOf('--profile');
  return { a: value('a', 2000), b: value('b', 300), warmup: value('warmup', 300), waiting: value('waiting', 100_000), processes: value('processes', 2), profile: profileAt >= 0 ? argv[profileAt + 1] : null, stats: !argv.includes('--no-stats') };
}

class Api {
  private readonly tokens = new Map<string, string>();
  private current = '';
  private readonly http: HttpClient;
  constructor(private readonly base: string) {
    this.http = new HttpClient(base);
  }

  async waitForHealth(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`${this.base}/api/health`).then((r) => r.ok, () => false);
      if (ok) return;
      await sleep(200);
    }
    throw new Error('server did not become healthy');
  }

  async login(username: string): Promise<void> {
    const res = await fetch(`${this.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo' }) });
    if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
    this.tokens.set(username, ((await res.json()) as { data: { token: string } }).data.token);
    this.current = username;
  }

  as(username: string): Api {
    const view = Object.create(this) as Api;
    view.current = username;
    if (!this.tokens.has(username)) throw new Error(`not logged in: ${username}`);
    return view;
  }

  async start(processKey: string): Promise<void> {
    await this.post('/api/process-instances', { processKey, variables: { amount: 1 } });
  }

  async deploy(fixtures: string[]): Promise<void> {
    const form = new FormData();
    for (const name of fixtures) form.append('resources', new Blob([readFileSync(new URL(`./fixtures/${name}`, import.meta.url))]), name);
    const res = await fetch(`${this.base}/api/deployments`, { method: 'POST', headers: { authorization: `Bearer ${this.tokens.get(this.current)}` }, body: form });
    if (!res.ok) throw new Error(`deploy: ${res.status} ${await res.text()}`);
  }

  async get(path: string): Promise<any> {
    const res = await this.http.request('GET', path, { authorization: `Bearer ${this.tokens.get(this.current)}` });
    if (res.status >= 400) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async post(path: string, body: unknown): Promise<any> {
    const res = await this.http.request('POST', path, { authorization: `Bearer ${this.tokens.get(this.current)}` }, body);
    if (res.status >= 400 && res.status !== 409) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  close(): void {
    this.http.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

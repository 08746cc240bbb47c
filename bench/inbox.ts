// npm run bench:inbox — latency of the inbox listing (GET /api/tasks) with 1,000,000 tasks in the
// table, on real PostgreSQL. Rows are generated in SQL (generate_series): ~125,000 cases of eight
// steps each over three years — 2 % of the tasks open, 5 % canceled, the rest completed — spread over
// the departments and units of the demo district. Then 200 timed requests per query (after 20 to warm
// up), sequential, over HTTP with keep-alive, and the p50 / p95 / p99 of each. Prints a Markdown report
// with the machine facts.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:inbox [-- --tasks 1000000 --requests 200 --keep]
//
// It makes (and drops, unless --keep) its own database `bzf_bench_inbox` on that server.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import knexFactory, { type Knex } from 'knex';
import { createApp } from '../server/app';
import { loadConfig } from '../server/core/config';
import { PostgresChangeFeed } from '../server/core/change-feed';
import type { Database } from '../server/core/db';
import { createSilentLogger } from '../server/core/logger';
import { migrateLatest } from '../server/core/migrate';
import { DEMO_PASSWORD } from '../server/demo/district';
import { seedDemo } from '../server/demo/seed';
import type { WorkflowEngine } from '../server/engine/types';
import { taskRoutes } from '../server/routes/tasks';
import { createInboxStreamHub } from '../server/services/inbox-stream';
import { createCoreServices } from '../server/services/index';
import { createTaskService } from '../server/services/tasks';
import { dropDatabase, freshDatabase, serverUrlOrExit } from './database';
import { percentile } from './latencies';
import { machineFacts } from './machine';

const BENCH_DB = 'bzf_bench_inbox';
const args = parseArgs(process.argv.slice(2));

async function main(): Promise<void> {
  const serverUrl = serverUrlOrExit('npm run bench:inbox');
  const url = await freshDatabase(serverUrl, BENCH_DB);
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 1, max: 10 } });
  const log = createSilentLogger();
  const http = createServer();
  const changes = new PostgresChangeFeed(url, log);
  try {
    await migrateLatest(knex);
    const config = loadConfig({ DEMO: '1', LOG_LEVEL: 'silent', PASSWORD_HASH_COST: '10', DATABASE_URL: url });
    const db: Database = { kind: 'postgres', knex, changes, close: async () => (await changes.close(), knex.destroy()) };
    const services = createCoreServices({ db, config, log });
    await seedDemo(knex, log);

    const generated = await generate(knex, args.tasks);

    // the inbox routes alone: listing never calls the engine
    const engine = {} as WorkflowEngine;
    const tasks = createTaskService({ db: knex, engine });
    const app = createApp({ db, log, config, services, routers: [taskRoutes(tasks, { hub: createInboxStreamHub({ db: knex, autoStart: false }) })] });
    http.on('request', app);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    const u001 = (await knex('units').where({ code: 'U001' }).first('id')).id as string;
    // a person whose case waits in 编办's inbox
    const someone = (
      await knex('process_instances as i')
        .join('user_tasks as t', 't.instance_id', 'i.id')
        .where('t.state', 'created')
        .whereRaw(`t.candidate_groups @> '{bianban}'`)
        .orderBy('t.id')
        .first('i.variables')
    ).variables as { idNumber: string; personName: string };
    const queries: Array<{ user: string; query: string; note: string }> = [
      { user: 'bianban-clerk', query: '', note: 'the inbox: open tasks of 编办, by due time (the target)' },
      { user: 'bianban-clerk', query: '?sort=priority', note: 'sorted by priority' },
      { user: 'bianban-clerk', query: '?overdue=true', note: 'overdue only' },
      { user: 'bianban-clerk', query: `?unit=${u001}`, note: 'one unit\'s cases' },
      { user: 'bianban-clerk', query: `?person=${someone.idNumber}`, note: 'by ID number' },
      { user: 'bianban-clerk', query: `?person=${encodeURIComponent(someone.personName.slice(0, 2))}`, note: 'by the beginning of a name' },
      { user: 'bianban-leader', query: '', note: 'a leader (two groups)' },
      { user: 'unit-U001', query: '', note: 'a unit clerk (tasks of the own unit\'s cases)' },
      { user: 'unit-U002', query: '', note: 'a 主管部门 clerk (own and subordinate units)' },
      { user: 'bianban-clerk', query: '?state=completed', note: 'completed tasks, newest first (the history)' },
      { user: 'bianban-clerk', query: '?state=completed&page=50', note: 'the history, page 50' },
      { user: 'unit-U001', query: '?state=completed', note: 'a unit clerk\'s history' },
    ];
    const tokens = new Map<string, string>();
    for (const user of new Set(queries.map((q) => q.user))) tokens.set(user, await login(base, user));

    const rows: string[] = [];
    for (const q of queries) {
      const headers = { Authorization: `Bearer ${tokens.get(q.user)}` };
      let total = 0;
      for (let i = 0; i < 20; i++) total = (await getJson(`${base}/api/tasks${q.query}`, headers)).meta.total;
      const samples: number[] = [];
      for (let i = 0; i < args.requests; i++) {
        const started = process.hrtime.bigint();
        await getJson(`${base}/api/tasks${q.query}`, headers);
        samples.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      samples.sort((a, b) => a - b);
      const f = (ms: number) => ms.toFixed(1);
      rows.push(`| ${q.user} | \`${q.query.replace(someone.idNumber, '<ID>') || '(none)'}\` | ${q.note} | ${total.toLocaleString('en')} | ${f(percentile(samples, 0.5))} | **${f(percentile(samples, 0.95))}** | ${f(percentile(samples, 0.99))} |`);
      process.stderr.write(`${q.user} ${q.query}: p95 ${f(percentile(samples, 0.95))} ms\n`);
    }

    console.log(
      [
        `## Inbox listing with ${generated.tasks.toLocaleString('en')} tasks`,
        '',
        await machineFacts(knex),
        '',
        `Data: ${generated.tasks.toLocaleString('en')} user tasks of ${generated.instances.toLocaleString('en')} cases (generated in SQL in ${generated.seconds.toFixed(0)} s): ` +
          `${generated.byState.created.toLocaleString('en')} open, ${generated.byState.completed.toLocaleString('en')} completed, ${generated.byState.canceled.toLocaleString('en')} canceled; ` +
          `编办's share of the open tasks: ${generated.bianbanOpen.toLocaleString('en')}. Table size ${generated.tableSize}.`,
        '',
        `${args.requests} sequential requests per row after 20 to warm up; times in ms, measured by the client (HTTP on loopback, keep-alive), each answer a page of 20 with its total and the counts per state (open tasks counted exactly, the history up to 1,000).`,
        '',
        '| user | query | what | total | p50 | p95 | p99 |',
        '|---|---|---|---:|---:|---:|---:|',
        ...rows,
      ].join('\n'),
    );
  } finally {
    http.close();
    http.closeAllConnections();
    await changes.close();
    await knex.destroy();
    if (!args.keep) await dropDatabase(serverUrl, BENCH_DB);
  }
}

interface Generated {
  tasks: number;
  instances: number;
  byState: Record<'created' | 'completed' | 'canceled', number>;
  bianbanOpen: number;
  seconds: number;
  tableSize: string;
}

/**
 * `tasks` tasks, eight per case. Step k of a case goes to the department of a Z1-like chain (unit,
 * supervisor, 编办, unit, 编办, 组织部/人社, 人社, 社保/财政). A case's earlier steps are done; of the most
 * recent cases the current step is open (2 % of all tasks); 5 % of the cases were canceled.
 */
async function generate(knex: Knex, tasks: number): Promise<Generated> {
  const started = Date.now();
  const instances = Math.ceil(tasks / 8);
  const units = (await knex('units').orderBy('code').select('id')).map((r: { id: string }) => r.id);
  const [definition] = await knex('process_definitions')
    .insert({ process_id: 'staff-add-recruitment', version: 1, name: '新录用', resource_name: 'bench.bpmn', xml: '<definitions/>', checksum: 'bench', deployed_by: 'bench' })
    .returning('id');
  // the feed trigger would write a million rows nobody reads
  await knex.raw('alter table user_tasks disable trigger user_tasks_record_change');
  const surnames = "array['王','李','张','刘','陈','杨','黄','赵','吴','周','徐','孙','马','朱','胡','郭','何','林','高','罗']";
  const given = "array['伟','芳','娜','敏','静','丽','强','磊','军','洋','勇','艳','杰','涛','明','超','秀英','桂英','建国','志强']";
  // case i: created over the last three years, newest last; 5 % canceled; the newest 16 % still running
  await knex.raw(
    `insert into process_instances (id, definition_id, process_id, version, business_key, state, variables, started_by, created_at, updated_at, ended_at)
     select gen_random_uuid(), ?, 'staff-add-recruitment', 1, 'BK-' || i,
            case when i % 20 = 0 then 'canceled' when i > ? * 0.84 then 'active' else 'completed' end,
            jsonb_build_object(
              'unitId', (?::text[])[1 + i % ?],
              'personName', (${surnames})[1 + i % 20] || (${given})[1 + (i / 20) % 20],
              'idNumber', '370612' || to_char(date '1970-01-01' + (i % 12000), 'YYYYMMDD') || lpad((i % 1000)::text, 3, '0') || (i % 10)::text),
            'user:bench', now() - interval '3 years' * (1 - i::float8 / ?), now(), null
     from generate_series(1, ?) i`,
    [definition.id, instances, units, units.length, instances, instances],
  );
  // step k (1..8) of each case; the open step of a running case is the one after its done steps
  await knex.raw(
    `with cases as (select id, business_key, state, created_at, row_number() over (order by created_at) as n from process_instances)
     insert into user_tasks (id, instance_id, process_id, element_id, execution_id, name, state, form_id, candidate_groups, assignee, priority, due_at, variables, business_key, created_at, claimed_at, completed_at, completed_by)
     select gen_random_uuid(), c.id, 'staff-add-recruitment', 'Task_Step' || k, 'exec-' || k, '步骤' || k, s.state, null,
            case k when 1 then array['unit'] when 2 then array['supervisor'] when 3 then array['bianban'] when 4 then array['unit']
                   when 5 then array['bianban'] when 6 then array[case when c.n % 2 = 0 then 'org' else 'hrss' end] when 7 then array['hrss']
                   else array[case when c.n % 2 = 0 then 'insurance' else 'finance' end] end,
            case when s.state = 'created' and c.n % 3 = 0 then null when s.state = 'created' then 'clerk-' || (c.n % 7) else 'clerk-' || (c.n % 7) end,
            (25 * (c.n % 4))::int,
            c.created_at + interval '1 day' * (k * 3 + 10), '{}'::jsonb, c.business_key,
            c.created_at + interval '1 day' * k * 3, null,
            case when s.state = 'completed' then c.created_at + interval '1 day' * (k * 3 + 2) end,
            case when s.state = 'completed' then 'clerk-' || (c.n % 7) end
     from cases c
     cross join generate_series(1, 8) k
     cross join lateral (select case
         when c.state = 'canceled' and k >= 1 + c.n % 8 then 'canceled'
         when c.state = 'active' and k = 1 + c.n % 8 then 'created'
         when c.state = 'active' and k > 1 + c.n % 8 then null
         else 'completed' end as state) s
     where s.state is not null
     limit ?`,
    [tasks],
  );
  // running cases have only their done steps and the open one: top up with completed history to `tasks`
  const [{ count }] = await knex('user_tasks').count<{ count: string }[]>('* as count');
  const missing = tasks - Number(count);
  if (missing > 0) {
    await knex.raw(
      `insert into user_tasks (id, instance_id, process_id, element_id, execution_id, name, state, candidate_groups, assignee, priority, due_at, variables, business_key, created_at, completed_at, completed_by)
       select gen_random_uuid(), p.id, 'staff-add-recruitment', 'Task_Review', 'review-' || g, '复核', 'completed',
              array[(array['bianban','org','hrss','insurance','finance','veterans','unit'])[1 + g % 7]], 'clerk-' || (g % 7), 50,
              p.created_at + interval '12 days', '{}'::jsonb, p.business_key, p.created_at + interval '2 days', p.created_at + interval '5 days', 'clerk-' || (g % 7)
       from generate_series(1, ?) g
       join lateral (select id, created_at, business_key from process_instances where state = 'completed' offset (g % 1000) limit 1) p on true`,
      [missing],
    );
  }
  await knex.raw('alter table user_tasks enable trigger user_tasks_record_change');
  await knex.raw('vacuum analyze user_tasks');
  await knex.raw('vacuum analyze process_instances');
  const states = await knex('user_tasks').select('state').count<{ state: string; count: string }[]>('* as count').groupBy('state');
  const byState = { created: 0, completed: 0, canceled: 0 };
  for (const s of states) byState[s.state as keyof typeof byState] = Number(s.count);
  const [{ open }] = await knex('user_tasks').where({ state: 'created' }).whereRaw(`'bianban' = any(candidate_groups)`).count<{ open: string }[]>('* as open');
  const size = await knex.raw(`select pg_size_pretty(pg_total_relation_size('user_tasks')) as size`);
  return {
    tasks: byState.created + byState.completed + byState.canceled,
    instances,
    byState,
    bianbanOpen: Number(open),
    seconds: (Date.now() - started) / 1000,
    tableSize: size.rows[0].size,
  };
}

async function login(base: string, username: string): Promise<string> {
  const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  if (res.status !== 201) throw new Error(`login ${username}: ${res.status}`);
  return ((await res.json()) as { data: { token: string } }).data.token;
}

async function getJson(url: string, headers: Record<string, string>): Promise<{ meta: { total: number } }> {
  const res = await fetch(url, { headers });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { meta: { total: number } };
}

function parseArgs(argv: string[]): { tasks: number; requests: number; keep: boolean } {
  const out = { tasks: 1_000_000, requests: 200, keep: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--tasks') out.tasks = Number(argv[++i]);
    else if (argv[i] === '--requests') out.requests = Number(argv[++i]);
    else if (argv[i] === '--keep') out.keep = true;
  }
  return out;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// npm run bench:stats — the statistics of domain-spec.md §8 on 5,000 units and 1,000,000 persons: generates
// the district with set-based SQL (generate_series), takes a month-end snapshot (timed), and times each report
// through the service (p50 of 5 runs after one warm-up). Prints a Markdown report with the machine facts; copy
// it into docs/benchmarks.md ("Analytics on 1,000,000 persons").
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:stats [-- --persons 1000000 --units 5000]
//
// --keep leaves the database for profiling (EXPLAIN); --reuse runs on a kept one (its snapshots taken again).
// It makes (and drops) its own database `bzf_bench_stats` on that server.
import { Writable } from 'node:stream';
import knexFactory, { type Knex } from 'knex';
import { isoDate } from '../domain/id-number';
import { migrateLatest } from '../server/core/migrate';
import { ensureReferenceData } from '../server/services/reference-data';
import { createParameterStore } from '../server/services/parameters';
import { createStatsService, reconcilePayroll, REPORTS, type ReportName, type StatsQuery } from '../server/services/stats/index';
import { addMonths, lastDayOf } from '../server/services/stats/snapshots';
import { databaseUrl, dropDatabase, freshDatabase, serverUrlOrExit } from './database';
import { percentile } from './latencies';
import { machineFacts } from './machine';
import type { AuthUser } from '../server/core/auth-user';

const BENCH_DB = 'bzf_bench_stats';
const args = parseArgs(process.argv.slice(2));
const ADMIN = { id: '00000000-0000-4000-8000-000000000000', username: 'bench', roles: ['admin'], unitId: null, departmentId: null, groups: [] } as unknown as AuthUser;

async function main(): Promise<void> {
  const serverUrl = serverUrlOrExit('npm run bench:stats');
  const url = args.reuse ? databaseUrl(serverUrl, BENCH_DB) : await freshDatabase(serverUrl, BENCH_DB);
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 1, max: 4 } });
  try {
    await migrateLatest(knex);
    await ensureReferenceData(knex);
    // the snapshot month: last month
    const month = addMonths(isoDate(new Date()).slice(0, 7), -1);
    const date = lastDayOf(month);
    // --reuse: the district of an earlier --keep run (its snapshots are dropped and taken again)
    const generated = args.reuse ? { ms: 0, value: undefined } : await timedOnce(() => generate(knex, args.units, args.persons, month));
    if (args.reuse) await dropSnapshots(knex);
    await knex.raw('analyze');
    const stats = createStatsService({ db: knex, parameters: createParameterStore(knex) });
    const snapshot = await timedOnce(() => stats.takeSnapshot({ month }, ADMIN));
    await knex.raw('analyze');
    // a roster import of the month commits: the import calls reconcilePayroll(db, month)
    const reconciled = await timedOnce(() => reconcilePayroll(knex, month));
    // the first report of the current month takes the month's provisional snapshot (later ones read it)
    const provisional = await timedOnce(() => stats.report('establishment', {}, ADMIN));
    const counts = await knex.raw(`select (select count(*) from units) as units, (select count(*) from persons where status = 'active') as active, (select count(*) from persons) as persons,
                                          (select count(*) from person_events) as events, (select count(*) from process_instances) as instances, (select count(*) from payroll_roster) as roster`);
    const c = counts.rows[0];

    const lines: string[] = [await machineFacts(knex)];
    lines.push(
      '',
      `### Data`,
      '',
      `${Number(c.units).toLocaleString('en')} units (${Math.round(args.units / 25)} 主管部门), ${Number(c.active).toLocaleString('en')} persons 在编 (${Number(c.persons).toLocaleString('en')} person rows with those who left), ${Number(c.events).toLocaleString('en')} person events, ${Number(c.instances).toLocaleString('en')} process instances (减员 cases), ${Number(c.roster).toLocaleString('en')} payroll roster rows; generated with set-based SQL in ${(generated.ms / 1000).toFixed(1)} s.`,
      '',
      `| step | time |`,
      `|---|---|`,
      `| take the month-end snapshot of ${month} (${snapshot.value.persons.toLocaleString('en')} persons, one transaction, with the aggregates and the payroll reconciliation) | ${(snapshot.ms / 1000).toFixed(2)} s |`,
      `| reconcilePayroll(db, '${month}') again, as after a roster import (${reconciled.value.map((r) => `${r.mismatches.toLocaleString('en')} mismatches`).join(', ')}) | ${(reconciled.ms / 1000).toFixed(2)} s |`,
      `| first report of the current month: takes its provisional snapshot, then answers | ${(provisional.ms / 1000).toFixed(2)} s |`,
      '',
      `### Reports through the service (p50 of ${args.runs} runs after one warm-up)`,
      '',
      `| report | source | p50 ms | min ms | max ms |`,
      `|---|---|---|---|---|`,
    );
    const supervisor = (await knex('units').where({ code: 'U00001' }).first('id')).id as string;
    const report = (name: ReportName, query: StatsQuery) => () => stats.report(name, query, ADMIN);
    const cases: Array<[label: string, source: string, run: () => Promise<unknown>]> = [
      ...REPORTS.map((r) => [r, `snapshot ${month}`, report(r, { date })] as [string, string, () => Promise<unknown>]),
      ['establishment (one 主管部门)', `snapshot ${month}`, report('establishment', { date, unitId: supervisor })],
      ['structure (one 主管部门)', `snapshot ${month}`, report('structure', { date, unitId: supervisor })],
      ['establishment (current month)', 'provisional snapshot', report('establishment', {})],
      ['structure (current month)', 'provisional snapshot', report('structure', {})],
      ['compliance (current month)', 'provisional snapshot', report('compliance', {})],
      ['payroll mismatches, one page (not_on_roster, 100 from 500)', `snapshot ${month}`, () => stats.payrollMismatches({ date, kind: 'not_on_roster', offset: 500, limit: 100 }, ADMIN)],
    ];
    for (const [label, source, run] of cases) {
      await run();
      const times: number[] = [];
      for (let i = 0; i < args.runs; i++) times.push((await timedOnce(run)).ms);
      times.sort((a, b) => a - b);
      lines.push(`| ${label} | ${source} | ${percentile(times, 0.5).toFixed(0)} | ${times[0]!.toFixed(0)} | ${times.at(-1)!.toFixed(0)} |`);
    }
    const exportTime = await timedOnce(async () => {
      const file = await stats.exportFile('establishment', 'xlsx', { date }, ADMIN);
      let bytes = 0;
      await file.write(new Writable({ write(chunk, _e, cb) { bytes += chunk.length; cb(); } }));
      return bytes;
    });
    lines.push('', `| export | time | size |`, `|---|---|---|`, `| establishment.xlsx (${(await knex('snapshot_quotas').whereIn('snapshot_id', knex('snapshots').where({ status: 'complete' }).select('id')).count('* as n').first())!.n} unit × type rows) | ${exportTime.ms.toFixed(0)} ms | ${(exportTime.value / 1024).toFixed(0)} KiB |`);
    console.log(lines.join('\n'));
  } finally {
    await knex.destroy();
    if (!args.keep) await dropDatabase(serverUrl, BENCH_DB);
  }
}

/** 5,000 units under 200 主管部门, quotas, leader posts, 1,000,000 persons 在编, 5% who left with their 减员 cases, events, roster. */
async function generate(knex: Knex, units: number, persons: number, month: string): Promise<void> {
  const supervisors = Math.max(1, Math.round(units / 25));
  await knex.raw(`insert into units (code, name, nature, funding_form) select 'U' || lpad(g::text, 5, '0'), '主管部门' || g, 'organ', 'full' from generate_series(1, ?) g`, [supervisors]);
  await knex.raw(
    `insert into units (code, name, nature, funding_form, parent_unit_id)
     select 'U' || lpad(g::text, 5, '0'), '单位' || g, (array['organ', 'institution', 'institution', 'institution_cs'])[1 + g % 4],
            (array['full', 'partial', 'self'])[1 + (g / 4) % 3], s.id
       from generate_series(?::int + 1, ?::int) g join units s on s.code = 'U' || lpad((1 + g % ?)::text, 5, '0')`,
    [supervisors, units, supervisors],
  );
  // the slots: 机关 XZ + GQ, 事业 SY, 参公 XZ; about persons / units people per unit
  await knex.raw(
    `insert into quotas (unit_id, bianzhi_type, approved, reserved, overflow_allowance)
     select id, t, case when t = 'GQ' then 10 else greatest(1, (?::int / ?::int) - 20 + (abs(hashtext(code)) % 40)) end, abs(hashtext(code || t)) % 3, 0
       from units u cross join lateral unnest(case nature when 'organ' then array['XZ', 'GQ'] when 'institution' then array['SY'] else array['XZ'] end) t`,
    [persons, units],
  );
  // persons per slot in proportion to approved (some slots a little over, some under), attributes from hashes
  const [{ total }] = (await knex.raw(`select sum(approved)::bigint as total from quotas`)).rows;
  await knex.raw(
    `create temporary table slot_people as
       select q.unit_id, q.bianzhi_type, row_number() over () as g
         from quotas q cross join lateral generate_series(1, round(q.approved * ?::float8 / ?::float8 * (0.9 + (abs(hashtext(q.unit_id::text)) % 25) / 100.0))::int) i`,
    [persons, total],
  );
  await knex.raw(
    `insert into persons (id_number, name, gender, birth_date, status, unit_id, bianzhi_type, post, entered_on, profile)
     select '1' || lpad(g::text, 16, '0') || 'X', '人员' || g, case when g % 100 < 46 then '2' else '1' end,
            date '1964-01-01' + (abs(hashtext('b' || g)) % 14600), 'active', s.unit_id, s.bianzhi_type,
            case s.bianzhi_type when 'GQ' then '工勤技能四级' when 'SY' then '专业技术十级' else '一级科员' end,
            date '1995-01-01' + (abs(hashtext('e' || g)) % 11600),
            jsonb_strip_nulls(jsonb_build_object(
              'education', (array['11', '14', '21', '21', '21', '21', '31', '31', '41', '61', '90'])[1 + abs(hashtext('d' || g)) % 11],
              'degree', (array['doctor', 'master', 'bachelor', 'bachelor', 'none'])[1 + abs(hashtext('g' || g)) % 5],
              'politicalStatus', (array['01', '01', '01', '02', '03', '05', '12', '13', '13'])[1 + abs(hashtext('p' || g)) % 9],
              'leaderPost', case when g % 50 = 0 then jsonb_build_object('level', '乡科级', 'kind', 'principal') when g % 50 in (1, 2) then jsonb_build_object('level', '乡科级', 'kind', 'deputy') end))
       from slot_people s`,
  );
  await knex.raw(`update quotas q set actual = c.n from (select unit_id, bianzhi_type, count(*) as n from persons where status = 'active' group by 1, 2) c where c.unit_id = q.unit_id and c.bianzhi_type = q.bianzhi_type`);
  await knex.raw(
    `insert into leader_posts (unit_id, level, kind, approved, actual)
     select u.id, '乡科级', k, case k when 'principal' then 1 else 2 end,
            (select count(*) from persons p where p.unit_id = u.id and p.status = 'active' and p.profile->'leaderPost'->>'kind' = k)
       from units u cross join unnest(array['principal', 'deputy']) k`,
  );
  // definitions; one instance per 增员 process; 5% who left, each with a 减员 case and its 出编 event
  await knex.raw(
    `insert into process_definitions (process_id, version, resource_name, xml, checksum, deployed_by)
     select p, 1, p || '.bpmn', '<x/>', 'bench', 'bench' from unnest(array['staff-add-recruitment', 'staff-add-transfer-in', 'staff-add-placement', 'staff-reduce-retirement', 'staff-reduce-transfer-out', 'staff-reduce-exit']) p`,
  );
  await knex.raw(`insert into process_instances (definition_id, process_id, version, state, started_by) select id, process_id, 1, 'completed', 'bench' from process_definitions where process_id like 'staff-add-%'`);
  await knex.raw(
    `insert into person_events (person_id, event_type, occurred_on, unit_id, bianzhi_type, process_instance_id, recorded_at)
     select p.id, 'enter', p.entered_on, p.unit_id, p.bianzhi_type, pi.id, p.entered_on + time '10:00'
       from persons p join process_instances pi on pi.process_id = (array['staff-add-recruitment', 'staff-add-recruitment', 'staff-add-transfer-in', 'staff-add-placement'])[1 + abs(hashtext(p.id::text)) % 4]`,
  );
  const left = Math.round(persons * 0.05);
  await knex.raw(
    `create temporary table leavers as
       select gen_random_uuid() as person_id, gen_random_uuid() as instance_id, g,
              (array['staff-reduce-retirement', 'staff-reduce-transfer-out', 'staff-reduce-exit'])[1 + g % 3] as process_id,
              current_date - 1 - (abs(hashtext('l' || g)) % 1800) as event_date, (abs(hashtext('v' || g)) % 25) as delay,
              (select id from units where code = 'U' || lpad((1 + g % ?)::text, 5, '0')) as unit_id
         from generate_series(1, ?::int) g`,
    [units, left],
  );
  await knex.raw(
    `insert into persons (id, id_number, name, gender, birth_date, status, post, entered_on)
     select person_id, '2' || lpad(g::text, 16, '0') || 'X', '离开' || g, '1', date '1960-01-01' + g % 10000, case when process_id = 'staff-reduce-retirement' then 'retired' else 'history' end, '一级科员', date '2000-01-01' from leavers`,
  );
  await knex.raw(
    `insert into process_instances (id, definition_id, process_id, version, state, started_by, variables)
     select l.instance_id, d.id, l.process_id, 1, case when l.delay < 22 then 'completed' else 'active' end, 'bench',
            jsonb_build_object('unitId', l.unit_id, 'personId', l.person_id, 'eventDate', to_char(l.event_date, 'YYYY-MM-DD'))
       from leavers l join process_definitions d on d.process_id = l.process_id`,
  );
  await knex.raw(
    `insert into person_events (person_id, event_type, occurred_on, unit_id, process_instance_id, recorded_at)
     select person_id, case when process_id = 'staff-reduce-retirement' then 'retire' else 'leave' end, event_date, unit_id, instance_id, event_date + delay + time '10:00'
       from leavers where delay < 22`,
  );
  // the payroll roster of the snapshot month: everyone 在编 but 0.1%, plus 1,000 who left
  await knex.raw(
    `insert into payroll_roster (month, id_number, unit_id, source)
     select ?, id_number, unit_id, 'bench' from persons where status = 'active' and abs(hashtext(id_number)) % 1000 <> 0
     union all select ?, id_number, null, 'bench' from persons where status <> 'active' and abs(hashtext(id_number)) % 50 = 0`,
    [month, month],
  );
}

async function timedOnce<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await work();
  return { ms: performance.now() - t, value };
}

/** Drops every snapshot (and its partition) of a reused district. */
async function dropSnapshots(knex: Knex): Promise<void> {
  for (const { id } of (await knex('snapshots').select('id')) as Array<{ id: string }>) {
    await knex.raw(`drop table if exists "snapshot_persons_${id.replace(/-/g, '')}"`);
  }
  await knex('snapshots').update({ replaced_by: null });
  await knex('snapshots').delete();
}

function parseArgs(argv: string[]): { persons: number; units: number; runs: number; keep: boolean; reuse: boolean } {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  // --keep: leave the database for profiling; --reuse: use the kept one instead of generating again
  return { persons: value('persons', 1_000_000), units: value('units', 5000), runs: value('runs', 5), keep: argv.includes('--keep'), reuse: argv.includes('--reuse') };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

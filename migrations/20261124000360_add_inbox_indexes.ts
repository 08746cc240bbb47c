import type { Knex } from 'knex';

// Indexes for the inbox (GET /api/tasks), sized on 1,000,000 tasks (bench/inbox.ts, docs/inbox-benchmark.md).
// - Open tasks (a few per cent of the table): one small partial index per sort order, carrying the
//   columns access depends on, so that a page is an ordered scan that stops after 20 visible tasks and
//   the open count an index-only scan.
// - The history (completed, canceled): newest first with the same columns, for the list and the capped counts.
// - Any state: groups, candidate users, assignee, the case's unit (unit clerks, the unit filter).
// - The person a case is about (instance variables idNumber, personName).
const ACCESS_COLUMNS = 'include (candidate_groups, candidate_users, assignee, unit_id)';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index user_tasks_open_by_due_idx on user_tasks (due_at, created_at, id) ${ACCESS_COLUMNS} where state = 'created'`);
  await knex.raw(`create index user_tasks_open_by_priority_idx on user_tasks (priority desc, due_at, created_at, id) ${ACCESS_COLUMNS} where state = 'created'`);
  await knex.raw(`create index user_tasks_open_by_created_idx on user_tasks (created_at desc, id desc) ${ACCESS_COLUMNS} where state = 'created'`);
  await knex.raw(`create index user_tasks_by_state_created_idx on user_tasks (state, created_at desc, id desc) ${ACCESS_COLUMNS}`);
  await knex.raw('create index user_tasks_groups_idx on user_tasks using gin (candidate_groups)');
  await knex.raw('create index user_tasks_users_idx on user_tasks using gin (candidate_users)');
  await knex.raw('create index user_tasks_assignee_idx on user_tasks (assignee, state)');
  await knex.raw('create index user_tasks_unit_idx on user_tasks (unit_id, state)');
  await knex.raw(`create index process_instances_id_number_idx on process_instances ((variables->>'idNumber'))`);
  await knex.raw(`create index process_instances_person_name_idx on process_instances ((variables->>'personName') text_pattern_ops)`);
  await knex.raw(`create index process_instances_unit_idx on process_instances ((variables->>'unitId'))`);
}

export async function down(knex: Knex): Promise<void> {
  for (const index of [
    'process_instances_unit_idx',
    'process_instances_person_name_idx',
    'process_instances_id_number_idx',
    'user_tasks_unit_idx',
    'user_tasks_assignee_idx',
    'user_tasks_users_idx',
    'user_tasks_groups_idx',
    'user_tasks_by_state_created_idx',
    'user_tasks_open_by_created_idx',
    'user_tasks_open_by_priority_idx',
    'user_tasks_open_by_due_idx',
  ]) {
    await knex.raw(`drop index ${index}`);
  }
}

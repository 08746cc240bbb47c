import type { Knex } from 'knex';

// Indexes the statistics need outside their own tables: flows read the 入编/出编 events of a period
// (person_events by occurred_on), the snapshot of 减员 cases reads the J1–J3 instances by process id (the
// existing (process_id, state) index serves it) and their 出编 event (person_events.process_instance_id, exists).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index person_events_flows_idx on person_events (occurred_on) where event_type in ('enter', 'leave', 'retire', 'transfer')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index person_events_flows_idx');
}

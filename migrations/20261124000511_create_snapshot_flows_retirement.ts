import type { Knex } from 'knex';

// Two more per-snapshot aggregates, computed once when a snapshot is taken:
//   snapshot_flow_counts        the flows report's events (person_events enter / leave / retire / transfer)
//                               with occurred_on from 1 January of the year 29 years before the reference
//                               date's up to it, recorded up to the snapshot's taken_at: counts per year ×
//                               event type × process of the case (process_id null: none), district-wide (a
//                               report for one unit reads person_events)
//   snapshot_retirement_counts  the retirement forecast's persons per unit × 编制类型 × year (the statutory
//                               retirement month's year; the reference year for those at or past it, overdue)
//                               year null: no retirement month
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snapshot_flow_counts', (t) => {
    t.uuid('snapshot_id').notNullable().references('id').inTable('snapshots').onDelete('CASCADE');
    t.integer('first_year').notNullable();
    t.integer('year').notNullable();
    t.text('event_type').notNullable();
    t.text('process_id').nullable();
    t.integer('n').notNullable();
    t.index(['snapshot_id']);
  });
  await knex.schema.createTable('snapshot_retirement_counts', (t) => {
    t.uuid('snapshot_id').notNullable().references('id').inTable('snapshots').onDelete('CASCADE');
    t.uuid('unit_id').notNullable();
    t.text('bianzhi_type').notNullable();
    t.integer('year').nullable();
    t.boolean('overdue').notNullable();
    t.integer('n').notNullable();
    t.index(['snapshot_id', 'year']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('snapshot_retirement_counts');
  await knex.schema.dropTable('snapshot_flow_counts');
}

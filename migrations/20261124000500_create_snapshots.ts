import type { Knex } from 'knex';

// Month-end snapshots for the statistics (domain-spec.md §8: "computed from month-end snapshots so a past
// report reproduces exactly"). One row per take; the rows of the snapshot_* tables belong to it and are never
// changed. A month has at most one complete snapshot; an administrator may replace it (status 'replaced',
// replaced_by the new one, an audit event), the old rows stay for the record.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snapshots', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('month').notNullable(); // yyyy-mm: the month whose end the snapshot stands for
    t.timestamp('taken_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('taken_by').notNullable(); // 'user:<username>' | 'system:stats-snapshots'
    t.text('status').notNullable().defaultTo('complete'); // complete | replaced
    t.uuid('replaced_by').nullable().references('id').inTable('snapshots').onDelete('RESTRICT');
    t.text('replace_reason').nullable();
    t.integer('persons').notNullable().defaultTo(0);
    t.integer('units').notNullable().defaultTo(0);
    t.jsonb('parameters').notNullable().defaultTo('{}'); // the parameter versions the derived columns used
    t.integer('duration_ms').nullable();
    t.check(`month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`, [], 'snapshots_month_format');
    t.check(`status in ('complete', 'replaced')`, [], 'snapshots_status_valid');
  });
  await knex.raw(`create unique index snapshots_one_complete_per_month on snapshots (month) where status = 'complete'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('snapshots');
}

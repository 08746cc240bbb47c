import type { Knex } from 'knex';

// 到龄预警 (domain-spec.md §1.2 J1 step 0): the daily job's record. retirement_alert_runs has one row per
// day the job ran (several server processes: the first one to insert the day runs it); retirement_alerts
// the people listed that day with their retirement month. The unit clerks are notified of a person the
// first day the person is listed with that month.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('retirement_alert_runs', (t) => {
    t.date('run_on').primary();
    t.timestamp('ran_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('months').notNullable();
    t.integer('listed').notNullable().defaultTo(0);
    t.integer('notified').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('retirement_alerts', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.date('run_on').notNullable();
    t.uuid('person_id').notNullable().references('id').inTable('persons').onDelete('CASCADE');
    t.text('retire_month').notNullable(); // yyyy-mm
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['run_on', 'person_id']);
    t.index(['person_id', 'retire_month']);
    t.check(`retire_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`, [], 'retirement_alerts_retire_month_format');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('retirement_alerts');
  await knex.schema.dropTable('retirement_alert_runs');
}

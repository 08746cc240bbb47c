import type { Knex } from 'knex';

// The payroll reconciliation (compliance report, 工资统发名单 vs the persons 在编) stored per snapshot, done by
// reconcilePayroll(db, month) when the snapshot is taken and again after every roster import of the month
// (server/services/stats/compliance.ts has the definitions):
//   snapshot_payroll_runs        one row per reconciled snapshot: when, and whether the month had a roster
//   snapshot_payroll_units       the counts per unit (persons side by the unit 在编, roster side by the roster's
//                                unit; unit_id null = roster entries under no unit)
//   snapshot_payroll_mismatches  the mismatch lists (kind not_on_roster | unit_mismatch | no_record | left),
//                                read a page at a time
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snapshot_payroll_runs', (t) => {
    t.uuid('snapshot_id').primary().references('id').inTable('snapshots').onDelete('CASCADE');
    t.text('month').notNullable();
    t.timestamp('reconciled_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.boolean('imported').notNullable();
    t.integer('roster_rows').notNullable();
    t.integer('duration_ms').nullable();
  });
  await knex.schema.createTable('snapshot_payroll_units', (t) => {
    t.uuid('snapshot_id').notNullable().references('id').inTable('snapshots').onDelete('CASCADE');
    t.uuid('unit_id').nullable();
    for (const c of ['enrolled', 'roster_entries', 'not_on_roster', 'on_roster_not_enrolled', 'no_record', 'unit_mismatch']) t.integer(c).notNullable().defaultTo(0);
    t.index(['snapshot_id']);
  });
  await knex.schema.createTable('snapshot_payroll_mismatches', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('snapshot_id').notNullable().references('id').inTable('snapshots').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.uuid('unit_id').nullable(); // the unit 在编 (persons side) or the roster's unit (roster side)
    t.uuid('person_id').nullable();
    t.text('id_number').notNullable();
    t.uuid('roster_unit_id').nullable();
    t.check(`kind in ('not_on_roster', 'unit_mismatch', 'no_record', 'left')`, [], 'snapshot_payroll_mismatches_kind');
  });
  await knex.raw(`create index snapshot_payroll_mismatches_page_idx on snapshot_payroll_mismatches (snapshot_id, kind, id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('snapshot_payroll_mismatches');
  await knex.schema.dropTable('snapshot_payroll_units');
  await knex.schema.dropTable('snapshot_payroll_runs');
}

import type { Knex } from 'knex';

// The finance payroll roster (工资统发名单) per month, filled by the roster import: one row per person paid
// that month. The compliance report reconciles it with the persons 在编 (domain-spec.md §8, "吃空饷" risk).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payroll_roster', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('month').notNullable(); // yyyy-mm
    t.text('id_number').notNullable(); // 公民身份号码
    t.uuid('unit_id').nullable().references('id').inTable('units').onDelete('RESTRICT'); // the paying unit; null when it matched none
    t.text('source').notNullable(); // e.g. 'finance:工资统发' and the file it came from
    t.timestamp('imported_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['month', 'id_number']);
    t.index(['month', 'unit_id']);
    t.check(`month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`, [], 'payroll_roster_month_format');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payroll_roster');
}

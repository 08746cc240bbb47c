import type { Knex } from 'knex';

// Quotas per unit × 编制类型 when a snapshot was taken (domain-spec.md §2.2): A, P, F as recorded, R counted
// from the persons 在编 (actual) next to the recorded counter (actual_recorded), and the annual plan of the
// snapshot month's year. A unit × type with persons but no quota row has approved 0.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snapshot_quotas', (t) => {
    t.uuid('snapshot_id').notNullable().references('id').inTable('snapshots').onDelete('CASCADE');
    t.uuid('unit_id').notNullable();
    t.text('bianzhi_type').notNullable();
    t.integer('approved').notNullable(); // A
    t.integer('actual').notNullable(); // R: persons 在编 counted
    t.integer('actual_recorded').notNullable(); // quotas.actual
    t.integer('reserved').notNullable(); // P
    t.integer('overflow_allowance').notNullable(); // F
    t.integer('plan_planned').nullable();
    t.integer('plan_used').nullable();
    t.primary(['snapshot_id', 'unit_id', 'bianzhi_type']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('snapshot_quotas');
}

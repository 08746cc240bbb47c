import type { Knex } from 'knex';

/**
 * 编制锁定 (预占), domain-spec.md §2.3: one row per 用编通知单. `count` slots are held from the issue until they
 * are consumed by 落编 (`used`; status occupied when all are used), released (cancellation) or expired
 * (`expires_on` passed). The (instance_id, element_id) key makes a redelivered quota.reserve job a no-op.
 * instance_id is text: the engine's instance key (a uuid in the embedded engine, a number in Zeebe).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('quota_reservations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('unit_id').notNullable().references('id').inTable('units').onDelete('RESTRICT');
    t.text('bianzhi_type').notNullable();
    t.integer('count').notNullable();
    t.integer('used').notNullable().defaultTo(0); // slots consumed by 落编 so far
    t.text('status').notNullable().defaultTo('reserved'); // reserved | occupied | released | expired
    t.integer('plan_year').nullable(); // the annual plan whose `used` was raised (null: none, e.g. 编委 ad-hoc approval)
    t.boolean('over_quota').notNullable().defaultTo(false); // Z3 placement reserved beyond the available count
    t.date('expires_on').notNullable(); // valid through this day
    t.text('instance_id').notNullable();
    t.text('element_id').notNullable();
    t.uuid('document_id').nullable().references('id').inTable('documents').onDelete('RESTRICT'); // the 用编通知单
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('consumed_at', { useTz: true }).nullable(); // occupied, released or expired
    t.unique(['instance_id', 'element_id']);
    t.index(['status', 'expires_on']);
    t.index(['unit_id', 'bianzhi_type']);
    t.check(`bianzhi_type in ('XZ', 'ZF', 'SY', 'GQ', 'LG')`, [], 'quota_reservations_bianzhi_type_valid');
    t.check(`status in ('reserved', 'occupied', 'released', 'expired')`, [], 'quota_reservations_status_valid');
    t.check('count >= 1', [], 'quota_reservations_count_positive');
    t.check('used >= 0 and used <= count', [], 'quota_reservations_used_range');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('quota_reservations');
}

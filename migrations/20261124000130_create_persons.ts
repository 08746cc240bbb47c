import type { Knex } from 'knex';

/**
 * Persons: the 实名制 record, one row per ID number (so 一人一编 holds by construction: a person is
 * in at most one unit), and person events: every 入编, 出编, 调动, change, with its document.
 */
const BIANZHI_TYPES = "('XZ', 'ZF', 'SY', 'GQ', 'LG')";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('persons', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('id_number').notNullable().unique(); // 公民身份号码 (GB 11643)
    t.text('name').notNullable();
    t.text('gender').notNullable(); // GB/T 2261.1: 0 未知, 1 男, 2 女, 9 未说明
    t.date('birth_date').notNullable();
    t.text('status').notNullable().defaultTo('active'); // active 在编 | history 历史 | retired 退休
    t.uuid('unit_id').nullable().references('id').inTable('units').onDelete('RESTRICT');
    t.text('bianzhi_type').nullable();
    t.text('post').nullable(); // 职务职级 / 岗位
    t.date('entered_on').nullable(); // 入编日期
    t.jsonb('profile').notNullable().defaultTo('{}'); // 学历, 政治面貌, 民族 … (personal data: never logged)
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['unit_id', 'status']);
    t.index(['status', 'birth_date']);
    t.check(`id_number ~ '^[0-9]{17}[0-9X]$'`, [], 'persons_id_number_format');
    t.check(`gender in ('0', '1', '2', '9')`, [], 'persons_gender_valid');
    t.check(`status in ('active', 'history', 'retired')`, [], 'persons_status_valid');
    t.check(`bianzhi_type is null or bianzhi_type in ${BIANZHI_TYPES}`, [], 'persons_bianzhi_type_valid');
    t.check(`status <> 'active' or (unit_id is not null and bianzhi_type is not null)`, [], 'persons_active_has_slot');
  });

  await knex.schema.createTable('person_events', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('person_id').notNullable().references('id').inTable('persons').onDelete('RESTRICT');
    t.text('event_type').notNullable();
    t.date('occurred_on').notNullable();
    t.uuid('unit_id').nullable().references('id').inTable('units').onDelete('RESTRICT');
    t.uuid('from_unit_id').nullable().references('id').inTable('units').onDelete('RESTRICT');
    t.text('bianzhi_type').nullable();
    t.text('reason').nullable(); // 进入形式 / 减员原因 code
    t.uuid('process_instance_id').nullable();
    t.text('document_number').nullable();
    t.jsonb('details').notNullable().defaultTo('{}');
    t.uuid('recorded_by').nullable().references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['person_id', 'occurred_on']);
    t.index(['process_instance_id']);
    t.check(
      `event_type in ('enter', 'leave', 'retire', 'transfer', 'post-change', 'type-change')`,
      [],
      'person_events_type_valid',
    );
    t.check(`bianzhi_type is null or bianzhi_type in ${BIANZHI_TYPES}`, [], 'person_events_bianzhi_type_valid');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('person_events');
  await knex.schema.dropTable('persons');
}

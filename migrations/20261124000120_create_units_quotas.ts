import type { Knex } from 'knex';

/**
 * Units (机构) and their establishment: quotas per unit × 编制类型 (核定 approved, 预占 reserved,
 * 实有 actual), leader posts (领导职数) and annual quota-use plans (年度用编计划). domain-spec.md §2.
 */
const BIANZHI_TYPES = "('XZ', 'ZF', 'SY', 'GQ', 'LG')";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('units', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('code').notNullable().unique();
    t.text('name').notNullable();
    t.text('nature').notNullable(); // 机构性质: organ 机关 | institution 事业单位 | institution_cs 参公事业单位
    t.text('level').nullable(); // 机构规格, e.g. 正科
    t.text('funding_form').notNullable(); // 经费形式: full 全额拨款 | partial 差额拨款 | self 自收自支
    t.uuid('parent_unit_id').nullable().references('id').inTable('units').onDelete('RESTRICT'); // 主管部门
    t.boolean('key_managed').notNullable().defaultTo(false); // 重点管理单位
    t.text('key_managed_reason').nullable();
    t.boolean('frozen').notNullable().defaultTo(false); // 编制冻结
    t.text('frozen_reason').nullable();
    t.text('frozen_doc_no').nullable();
    t.date('frozen_until').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['parent_unit_id']);
    t.check(`nature in ('organ', 'institution', 'institution_cs')`, [], 'units_nature_valid');
    t.check(`funding_form in ('full', 'partial', 'self')`, [], 'units_funding_form_valid');
    t.check('parent_unit_id is null or parent_unit_id <> id', [], 'units_not_own_parent');
  });

  await knex.schema.createTable('quotas', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('unit_id').notNullable().references('id').inTable('units').onDelete('RESTRICT');
    t.text('bianzhi_type').notNullable();
    t.integer('approved').notNullable().defaultTo(0); // 核定编制数 A
    t.integer('reserved').notNullable().defaultTo(0); // 已核准未入编 (预占) P
    t.integer('actual').notNullable().defaultTo(0); // 实有人数 R
    t.integer('overflow_allowance').notNullable().defaultTo(0); // 允许溢出数 F
    t.text('approved_doc_no').nullable(); // 三定 / 编委 文号
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['unit_id', 'bianzhi_type']);
    t.check(`bianzhi_type in ${BIANZHI_TYPES}`, [], 'quotas_bianzhi_type_valid');
    t.check('approved >= 0', [], 'quotas_approved_not_negative');
    t.check('reserved >= 0', [], 'quotas_reserved_not_negative');
    t.check('actual >= 0', [], 'quotas_actual_not_negative');
    t.check('overflow_allowance >= 0', [], 'quotas_overflow_not_negative');
  });

  await knex.schema.createTable('leader_posts', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('unit_id').notNullable().references('id').inTable('units').onDelete('RESTRICT');
    t.text('level').notNullable(); // e.g. 乡科级
    t.text('kind').notNullable(); // principal 正职 | deputy 副职
    t.integer('approved').notNullable().defaultTo(0); // 核定职数 L
    t.integer('actual').notNullable().defaultTo(0); // 实配 Lr
    t.unique(['unit_id', 'level', 'kind']);
    t.check(`kind in ('principal', 'deputy')`, [], 'leader_posts_kind_valid');
    t.check('approved >= 0', [], 'leader_posts_approved_not_negative');
    t.check('actual >= 0', [], 'leader_posts_actual_not_negative');
  });

  await knex.schema.createTable('annual_plans', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('unit_id').notNullable().references('id').inTable('units').onDelete('RESTRICT');
    t.text('bianzhi_type').notNullable();
    t.integer('year').notNullable();
    t.integer('planned').notNullable(); // n_plan
    t.integer('used').notNullable().defaultTo(0); // plan_used
    t.text('doc_no').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['unit_id', 'bianzhi_type', 'year']);
    t.check(`bianzhi_type in ${BIANZHI_TYPES}`, [], 'annual_plans_bianzhi_type_valid');
    t.check('year between 2000 and 2100', [], 'annual_plans_year_range');
    t.check('planned >= 0', [], 'annual_plans_planned_not_negative');
    t.check('used >= 0', [], 'annual_plans_used_not_negative');
  });

  await knex.schema.alterTable('users', (t) => {
    t.foreign('unit_id', 'users_unit_id_foreign').references('id').inTable('units').onDelete('RESTRICT');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => t.dropForeign(['unit_id'], 'users_unit_id_foreign'));
  await knex.schema.dropTable('annual_plans');
  await knex.schema.dropTable('leader_posts');
  await knex.schema.dropTable('quotas');
  await knex.schema.dropTable('units');
}

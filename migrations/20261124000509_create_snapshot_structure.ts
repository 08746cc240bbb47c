import type { Knex } from 'knex';

// The structure report's aggregates, computed once per snapshot when it is taken (snapshots are immutable),
// so the report reads thousands of rows instead of a million (server/services/stats/structure.ts holds the
// definitions; the columns mirror its AGE_BANDS, EDUCATION_GROUPS, DEGREES and POLITICAL_GROUPS in order).
//   snapshot_structure_cells    counts per unit × 编制类型 × 职务层次 (leader_label; is_leader): persons, men,
//                               women, the sum of ages (for means), 8 age bands, 8 学历 groups, 4 学位, 5 政治面貌
//                               groups; every figure of a roll-up is a sum of cells
//   snapshot_structure_ages     the age histogram per unit × 编制类型 × 职务层次 (medians of a unit's subset)
//   snapshot_structure_medians  the medians of the district report's groups (total, each unit, 编制类型,
//                               职务层次, leaders / non-leaders), as grouping() flags + keys
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snapshot_structure_cells', (t) => {
    t.uuid('snapshot_id').notNullable().references('id').inTable('snapshots').onDelete('CASCADE');
    t.uuid('unit_id').notNullable();
    t.text('bianzhi_type').notNullable();
    t.text('leader_label').notNullable();
    t.boolean('is_leader').notNullable();
    for (const c of ['n', 'men', 'women']) t.integer(c).notNullable();
    t.bigInteger('age_sum').notNullable();
    for (let i = 0; i < 8; i++) t.integer(`band_${i}`).notNullable();
    for (let i = 0; i < 8; i++) t.integer(`edu_${i}`).notNullable();
    for (let i = 0; i < 4; i++) t.integer(`deg_${i}`).notNullable();
    for (let i = 0; i < 5; i++) t.integer(`pol_${i}`).notNullable();
    t.primary(['snapshot_id', 'unit_id', 'bianzhi_type', 'leader_label']);
  });
  await knex.schema.createTable('snapshot_structure_ages', (t) => {
    t.uuid('snapshot_id').notNullable().references('id').inTable('snapshots').onDelete('CASCADE');
    t.uuid('unit_id').notNullable();
    t.text('bianzhi_type').notNullable();
    t.text('leader_label').notNullable();
    t.boolean('is_leader').notNullable();
    t.integer('age').notNullable();
    t.integer('n').notNullable();
    t.primary(['snapshot_id', 'unit_id', 'bianzhi_type', 'leader_label', 'age']);
  });
  await knex.schema.createTable('snapshot_structure_medians', (t) => {
    t.uuid('snapshot_id').notNullable().references('id').inTable('snapshots').onDelete('CASCADE');
    for (const g of ['g_unit', 'g_type', 'g_level', 'g_leader']) t.smallint(g).notNullable();
    t.uuid('unit_id').nullable();
    t.text('bianzhi_type').nullable();
    t.text('leader_label').nullable();
    t.boolean('is_leader').nullable();
    t.decimal('median_age', 6, 1).nullable();
    t.index(['snapshot_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('snapshot_structure_medians');
  await knex.schema.dropTable('snapshot_structure_ages');
  await knex.schema.dropTable('snapshot_structure_cells');
}

import type { Knex } from 'knex';

// The units (机构) as they were when a snapshot was taken: the attributes the reports group by.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snapshot_units', (t) => {
    t.uuid('snapshot_id').notNullable().references('id').inTable('snapshots').onDelete('CASCADE');
    t.uuid('unit_id').notNullable(); // units.id (no foreign key: a snapshot outlives changes to units)
    t.text('code').notNullable();
    t.text('name').notNullable();
    t.text('nature').notNullable();
    t.text('funding_form').notNullable();
    t.uuid('parent_unit_id').nullable(); // 主管部门
    t.boolean('key_managed').notNullable();
    t.boolean('frozen').notNullable();
    t.primary(['snapshot_id', 'unit_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('snapshot_units');
}

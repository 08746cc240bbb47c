import type { Knex } from 'knex';

// 领导职数 per unit × level × 正职/副职 when a snapshot was taken: 核定 L, 实配 Lr as recorded.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snapshot_leader_posts', (t) => {
    t.uuid('snapshot_id').notNullable().references('id').inTable('snapshots').onDelete('CASCADE');
    t.uuid('unit_id').notNullable();
    t.text('level').notNullable();
    t.text('kind').notNullable();
    t.integer('approved').notNullable();
    t.integer('actual').notNullable();
    t.primary(['snapshot_id', 'unit_id', 'level', 'kind']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('snapshot_leader_posts');
}

import type { Knex } from 'knex';

// Versioned diagrams and forms: the same id deployed with new content is the next version.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('process_definitions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('process_id').notNullable();
    t.integer('version').notNullable();
    t.text('name');
    t.text('resource_name').notNullable();
    t.text('xml').notNullable();
    t.text('checksum').notNullable();
    t.text('deployed_by').notNullable();
    t.timestamp('deployed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['process_id', 'version']);
    t.index(['process_id', 'checksum']);
  });
  await knex.schema.createTable('form_definitions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('form_id').notNullable();
    t.integer('version').notNullable();
    t.text('resource_name').notNullable();
    t.jsonb('schema').notNullable();
    t.text('checksum').notNullable();
    t.text('deployed_by').notNullable();
    t.timestamp('deployed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['form_id', 'version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('form_definitions');
  await knex.schema.dropTable('process_definitions');
}

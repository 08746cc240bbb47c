import type { Knex } from 'knex';

/**
 * The 离退休人员库 / history record (domain-spec.md §1.2 J1 step 5): a person's final record when they leave the
 * establishment, as a snapshot (person row, events, retirement and pension figures). One per instance and person,
 * so a redelivered person.archive job writes nothing new. instance_id is text (the engine's instance key).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('person_archives', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('person_id').notNullable().references('id').inTable('persons').onDelete('RESTRICT');
    t.timestamp('archived_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('reason').notNullable(); // 减员原因
    t.jsonb('snapshot').notNullable(); // personal data: never logged
    t.text('instance_id').notNullable();
    t.unique(['instance_id', 'person_id']);
    t.index(['person_id', 'archived_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('person_archives');
}

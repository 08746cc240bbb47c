import type { Knex } from 'knex';

// Messages published with a time to live wait here for a subscription, as Zeebe buffers them.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('messages', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('correlation_key');
    t.text('message_id');
    t.jsonb('variables').notNullable().defaultTo('{}');
    t.text('state').notNullable().defaultTo('buffered');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.uuid('correlated_instance_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table messages add constraint messages_state_check check (state in ('buffered','correlated'))`);
  await knex.raw(`create index messages_buffered_idx on messages (name, correlation_key, expires_at) where state = 'buffered'`);
  // Zeebe refuses a second message with the same id while the first is buffered
  await knex.raw(`create unique index messages_buffered_message_id on messages (name, message_id) where state = 'buffered' and message_id is not null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('messages');
}

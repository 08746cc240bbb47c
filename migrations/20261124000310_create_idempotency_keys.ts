import type { Knex } from 'knex';

// Idempotency-Key of state-changing requests (completing a task): per user and key, the request's
// fingerprint and its first successful answer. A repeat with the same key gets that answer again.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.text('username').notNullable();
    t.text('key').notNullable();
    t.text('operation').notNullable();
    t.uuid('target_id').notNullable();
    t.text('request_hash').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('response_status');
    t.jsonb('response_body');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    t.primary(['username', 'key']);
    t.index(['created_at']);
    t.check(`status in ('pending', 'done')`, [], 'idempotency_keys_status_valid');
    t.check(`length(key) between 1 and 200`, [], 'idempotency_keys_key_length');
    t.check(`request_hash ~ '^[0-9a-f]{64}$'`, [], 'idempotency_keys_hash_format');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_keys');
}

import type { Knex } from 'knex';

/** Session tokens (stored as sha256 hashes only) and failed logins for throttling. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('token_hash').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.index(['user_id']);
    t.index(['expires_at']);
    t.check(`token_hash ~ '^[0-9a-f]{64}$'`, [], 'sessions_token_hash_format');
    t.check('expires_at > created_at', [], 'sessions_expiry_after_creation');
  });

  await knex.schema.createTable('login_failures', (t) => {
    t.bigIncrements('id').primary();
    t.text('username').notNullable();
    t.timestamp('failed_at', { useTz: true }).notNullable();
    t.index(['username', 'failed_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('login_failures');
  await knex.schema.dropTable('sessions');
}

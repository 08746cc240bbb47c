import type { Knex } from 'knex';

// The auth change notices of …000800 fired once per statement, also when the statement changed no
// row (a logout of a token already revoked, a revoke of a user with no session): every server then
// forgot everything it kept for nothing. Per row they fire only for rows that changed; PostgreSQL
// folds identical notices of one transaction into one. TRUNCATE has no rows and stays per statement.
const ROW_EVENTS: Array<[table: string, events: string]> = [
  ['sessions', 'update or delete'],
  ['users', 'update or delete'],
  ['user_roles', 'insert or update or delete'],
  ['units', 'insert or update of code, parent_unit_id or delete'],
];

const STATEMENT_EVENTS_BEFORE: Array<[table: string, events: string]> = [
  ['sessions', 'update or delete or truncate'],
  ['users', 'update or delete or truncate'],
  ['user_roles', 'insert or update or delete or truncate'],
  ['units', 'insert or update of code, parent_unit_id or delete or truncate'],
];

export async function up(knex: Knex): Promise<void> {
  for (const [table, events] of ROW_EVENTS) {
    await knex.raw(`drop trigger ${table}_auth_changed on ${table}`);
    await knex.raw(`create trigger ${table}_auth_changed after ${events} on ${table} for each row execute function notify_auth_changed()`);
    await knex.raw(`create trigger ${table}_auth_truncated after truncate on ${table} for each statement execute function notify_auth_changed()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, events] of STATEMENT_EVENTS_BEFORE) {
    await knex.raw(`drop trigger ${table}_auth_truncated on ${table}`);
    await knex.raw(`drop trigger ${table}_auth_changed on ${table}`);
    await knex.raw(`create trigger ${table}_auth_changed after ${events} on ${table} for each statement execute function notify_auth_changed()`);
  }
}

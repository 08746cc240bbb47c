import type { Knex } from 'knex';

// What a signed-in user is (users, user_roles, the unit's code and the units it supervises, the
// session itself) is kept in memory by each server between requests (services/session-cache.ts).
// Every change to it, by any process, is announced on the channel bzf_auth_changed once committed,
// and each server forgets what it kept. Statement-level: one notice per statement, whatever it changed.
const AUTH_CHANGED_CHANNEL = 'bzf_auth_changed';

const WATCHED: Array<[table: string, events: string]> = [
  ['sessions', 'update or delete or truncate'],
  ['users', 'update or delete or truncate'],
  ['user_roles', 'insert or update or delete or truncate'],
  ['units', 'insert or update of code, parent_unit_id or delete or truncate'],
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function notify_auth_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('${AUTH_CHANGED_CHANNEL}', tg_table_name);
      return null;
    end $$`);
  for (const [table, events] of WATCHED) {
    await knex.raw(`create trigger ${table}_auth_changed after ${events} on ${table} for each statement execute function notify_auth_changed()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table] of WATCHED) await knex.raw(`drop trigger ${table}_auth_changed on ${table}`);
  await knex.raw('drop function notify_auth_changed()');
}

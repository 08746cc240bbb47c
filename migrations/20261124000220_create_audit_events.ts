import type { Knex } from 'knex';

// The append-only, hash-chained audit log. The database itself refuses UPDATE and DELETE.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('seq').primary();
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable();
    t.text('kind').notNullable();
    t.uuid('instance_id');
    t.text('element_id');
    t.jsonb('payload').notNullable().defaultTo('{}');
    t.text('prev_hash').notNullable();
    t.text('hash').notNullable().unique();
    t.index(['instance_id', 'seq']);
  });
  await knex.raw(`
    create function audit_events_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only (% refused)', tg_op using errcode = '55000';
    end $$`);
  await knex.raw(`
    create trigger audit_events_append_only before update or delete on audit_events
    for each row execute function audit_events_refuse_change()`);
  await knex.raw(`
    create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_refuse_change()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table audit_events');
  await knex.raw('drop function audit_events_refuse_change()');
}

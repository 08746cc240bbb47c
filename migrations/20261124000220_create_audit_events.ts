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
  // The one way in: appends events in order under a lock, each hash = sha256(previous hash || body),
  // body being the event's canonical JSON made by the application (server/repositories/audit-events.ts).
  await knex.raw(`
    create function audit_append(events jsonb) returns void language plpgsql as $$
    declare
      head text;
      event jsonb;
      digest text;
    begin
      perform pg_advisory_xact_lock(1651991925);
      select hash into head from audit_events order by seq desc limit 1;
      head := coalesce(head, repeat('0', 64));
      for event in select value from jsonb_array_elements(events) loop
        digest := encode(sha256(convert_to(head || (event->>'body'), 'UTF8')), 'hex');
        insert into audit_events (occurred_at, actor, kind, instance_id, element_id, payload, prev_hash, hash)
        values ((event->>'occurredAt')::timestamptz, event->>'actor', event->>'kind', (event->>'instanceId')::uuid,
                event->>'elementId', event->'payload', head, digest);
        head := digest;
      end loop;
    end $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function audit_append(jsonb)');
  await knex.raw('drop table audit_events');
  await knex.raw('drop function audit_events_refuse_change()');
}

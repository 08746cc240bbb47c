import type { Knex } from 'knex';

// A feed of inbox changes for the event stream: a trigger on user_tasks appends the task's id
// whenever a task opens, or its state, assignee or candidates change — whoever changed it (the engine,
// the inbox, another server process). Stream hubs read the feed by seq; old rows are pruned.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inbox_changes', (t) => {
    t.bigIncrements('seq').primary();
    t.uuid('task_id').notNullable();
    t.text('old_assignee');
    t.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['changed_at']);
  });
  await knex.raw(`
    create function user_tasks_record_change() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into inbox_changes (task_id) values (new.id);
      elsif new.state is distinct from old.state or new.assignee is distinct from old.assignee
         or new.candidate_groups is distinct from old.candidate_groups or new.candidate_users is distinct from old.candidate_users then
        insert into inbox_changes (task_id, old_assignee) values (new.id, old.assignee);
      end if;
      return null;
    end $$`);
  await knex.raw(`
    create trigger user_tasks_record_change after insert or update on user_tasks
    for each row execute function user_tasks_record_change()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger user_tasks_record_change on user_tasks');
  await knex.raw('drop function user_tasks_record_change()');
  await knex.schema.dropTable('inbox_changes');
}

import type { Knex } from 'knex';

// The unit of a task's case on the task itself (user_tasks.unit_id = the instance variable unitId),
// so that the inbox scopes unit clerks and filters by unit on an index instead of joining every case.
// Triggers keep it: a task gets its case's unit when it is inserted, and the tasks of a case follow
// when the case's unitId is set or changes (also when that happens in the statement that opens the task).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table user_tasks add column unit_id text');
  await knex.raw(`
    update user_tasks t set unit_id = i.variables->>'unitId'
    from process_instances i where i.id = t.instance_id and i.variables->>'unitId' is not null`);
  await knex.raw(`
    create function user_tasks_set_unit() returns trigger language plpgsql as $$
    begin
      new.unit_id := (select i.variables->>'unitId' from process_instances i where i.id = new.instance_id);
      return new;
    end $$`);
  await knex.raw(`
    create trigger user_tasks_set_unit before insert on user_tasks
    for each row execute function user_tasks_set_unit()`);
  await knex.raw(`
    create function process_instances_propagate_unit() returns trigger language plpgsql as $$
    begin
      update user_tasks set unit_id = new.variables->>'unitId'
      where instance_id = new.id and unit_id is distinct from new.variables->>'unitId';
      return null;
    end $$`);
  await knex.raw(`
    create trigger process_instances_propagate_unit_on_insert after insert on process_instances
    for each row when ((new.variables->>'unitId') is not null) execute function process_instances_propagate_unit()`);
  await knex.raw(`
    create trigger process_instances_propagate_unit_on_update after update of variables on process_instances
    for each row when ((old.variables->>'unitId') is distinct from (new.variables->>'unitId')) execute function process_instances_propagate_unit()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger process_instances_propagate_unit_on_update on process_instances');
  await knex.raw('drop trigger process_instances_propagate_unit_on_insert on process_instances');
  await knex.raw('drop function process_instances_propagate_unit()');
  await knex.raw('drop trigger user_tasks_set_unit on user_tasks');
  await knex.raw('drop function user_tasks_set_unit()');
  await knex.raw('alter table user_tasks drop column unit_id');
}

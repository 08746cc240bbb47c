import type { Knex } from 'knex';

// Delegations of user tasks: the holder (owner) hands a task to a colleague (delegate), who works on
// it and returns it; the owner completes it. At most one delegation of a task is pending at a time.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('task_delegations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('task_id').notNullable().references('id').inTable('user_tasks').onDelete('CASCADE');
    t.text('owner').notNullable();
    t.text('delegate').notNullable();
    t.text('state').notNullable().defaultTo('pending');
    t.text('comment');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('ended_at', { useTz: true });
    t.text('ended_by');
    t.check(`state in ('pending', 'returned', 'canceled')`, [], 'task_delegations_state_valid');
    t.check('owner <> delegate', [], 'task_delegations_not_to_self');
    t.check('comment is null or length(comment) <= 500', [], 'task_delegations_comment_length');
  });
  await knex.raw(`create unique index task_delegations_one_pending_idx on task_delegations (task_id) where state = 'pending'`);
  await knex.raw(`create index task_delegations_pending_owner_idx on task_delegations (owner) where state = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('task_delegations');
}

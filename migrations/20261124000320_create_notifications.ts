import type { Knex } from 'knex';

// In-app notifications: a task assigned or delegated to you, returned to you, overdue, escalated to
// your group. `seq` orders them for the event stream. Titles name the task, never a person's data.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notifications', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.bigIncrements('seq', { primaryKey: false });
    t.text('username').notNullable().references('username').inTable('users').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.uuid('task_id').references('id').inTable('user_tasks').onDelete('CASCADE');
    t.uuid('instance_id').references('id').inTable('process_instances').onDelete('CASCADE');
    t.text('title').notNullable();
    t.text('actor');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('read_at', { useTz: true });
    t.unique(['seq']);
    t.index(['username', 'created_at']);
    t.check(`kind in ('task.assigned', 'task.delegated', 'task.returned', 'task.overdue', 'task.escalated')`, [], 'notifications_kind_valid');
  });
  await knex.raw(`create index notifications_unread_idx on notifications (username) where read_at is null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notifications');
}

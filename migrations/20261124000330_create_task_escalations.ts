import type { Knex } from 'knex';

// Escalations of overdue tasks: one row per task, written by the deadline check in the transaction
// that adds the department leaders' group to the task; the row keeps a task from escalating twice.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('task_escalations', (t) => {
    t.uuid('task_id').primary().references('id').inTable('user_tasks').onDelete('CASCADE');
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.timestamp('escalated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.specificType('groups_added', 'text[]').notNullable().defaultTo('{}');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('task_escalations');
}

import type { Knex } from 'knex';

// What a running instance is made of. One step writes all of these in one transaction.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('process_instances', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('definition_id').notNullable().references('process_definitions.id');
    t.text('process_id').notNullable();
    t.integer('version').notNullable();
    t.text('business_key');
    t.text('state').notNullable().defaultTo('active');
    t.text('start_event_id');
    t.jsonb('engine_state');
    t.jsonb('variables').notNullable().defaultTo('{}');
    t.uuid('parent_instance_id').references('process_instances.id');
    t.text('parent_execution_id');
    t.text('started_by').notNullable();
    t.integer('step_count').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('ended_at', { useTz: true });
    t.index(['process_id', 'state']);
    t.index(['parent_instance_id']);
    t.index(['business_key']);
  });
  await knex.raw(
    `alter table process_instances add constraint process_instances_state_check check (state in ('active','completed','terminated','canceled'))`,
  );

  await knex.schema.createTable('jobs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('instance_id').notNullable().references('process_instances.id');
    t.text('process_id').notNullable();
    t.text('element_id').notNullable();
    t.text('execution_id').notNullable();
    t.text('type').notNullable();
    t.text('state').notNullable().defaultTo('activatable');
    t.integer('retries').notNullable();
    t.text('worker');
    t.timestamp('deadline', { useTz: true });
    t.timestamp('retry_at', { useTz: true });
    t.jsonb('custom_headers').notNullable().defaultTo('{}');
    t.jsonb('variables').notNullable().defaultTo('{}');
    t.text('error_message');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['instance_id', 'execution_id']);
  });
  await knex.raw(
    `alter table jobs add constraint jobs_state_check check (state in ('activatable','activated','completed','failed','error_thrown','incident','canceled'))`,
  );
  await knex.raw(`create index jobs_activatable_idx on jobs (type, created_at) where state = 'activatable'`);
  await knex.raw(`create index jobs_activated_deadline_idx on jobs (deadline) where state = 'activated'`);

  await knex.schema.createTable('user_tasks', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('instance_id').notNullable().references('process_instances.id');
    t.text('process_id').notNullable();
    t.text('element_id').notNullable();
    t.text('execution_id').notNullable();
    t.text('name');
    t.text('state').notNullable().defaultTo('created');
    t.text('form_id');
    t.text('form_key');
    t.specificType('candidate_groups', 'text[]').notNullable().defaultTo('{}');
    t.specificType('candidate_users', 'text[]').notNullable().defaultTo('{}');
    t.text('assignee');
    t.integer('priority').notNullable().defaultTo(50);
    t.timestamp('due_at', { useTz: true });
    t.timestamp('follow_up_at', { useTz: true });
    t.jsonb('variables').notNullable().defaultTo('{}');
    t.text('business_key');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('claimed_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.text('completed_by');
    t.unique(['instance_id', 'execution_id']);
  });
  await knex.raw(`alter table user_tasks add constraint user_tasks_state_check check (state in ('created','completed','canceled'))`);
  await knex.raw(`create index user_tasks_open_groups_idx on user_tasks using gin (candidate_groups) where state = 'created'`);
  await knex.raw(`create index user_tasks_open_assignee_idx on user_tasks (assignee) where state = 'created'`);

  await knex.schema.createTable('timers', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('instance_id').references('process_instances.id');
    t.uuid('definition_id').notNullable().references('process_definitions.id');
    t.text('element_id').notNullable();
    t.text('execution_id');
    t.text('state').notNullable().defaultTo('active');
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.integer('repetitions');
    t.text('cycle');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['instance_id', 'execution_id']);
  });
  await knex.raw(`alter table timers add constraint timers_state_check check (state in ('active','fired','canceled'))`);
  await knex.raw(`create index timers_due_idx on timers (due_at) where state = 'active'`);

  await knex.schema.createTable('message_subscriptions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('instance_id').notNullable().references('process_instances.id');
    t.text('element_id').notNullable();
    t.text('execution_id').notNullable();
    t.text('message_name').notNullable();
    t.text('correlation_key');
    t.text('state').notNullable().defaultTo('open');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['instance_id', 'execution_id']);
  });
  await knex.raw(`create index message_subscriptions_open_idx on message_subscriptions (message_name, correlation_key) where state = 'open'`);

  await knex.schema.createTable('incidents', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('instance_id').notNullable().references('process_instances.id');
    t.uuid('job_id').references('jobs.id');
    t.text('element_id');
    t.text('error_type').notNullable();
    t.text('error_message').notNullable();
    t.jsonb('command');
    t.text('state').notNullable().defaultTo('active');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('resolved_at', { useTz: true });
    t.text('resolved_by');
    t.index(['instance_id', 'state']);
  });

  // Follow-up commands written in the same transaction as the step that caused them (an outbox):
  // start a called process, complete the calling activity, cancel a child.
  await knex.schema.createTable('engine_commands', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('instance_id').notNullable().references('process_instances.id');
    t.text('kind').notNullable();
    t.jsonb('payload').notNullable().defaultTo('{}');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['engine_commands', 'incidents', 'message_subscriptions', 'timers', 'user_tasks', 'jobs', 'process_instances']) {
    await knex.schema.dropTable(table);
  }
}

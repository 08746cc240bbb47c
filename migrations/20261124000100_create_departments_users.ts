import type { Knex } from 'knex';

/** Departments (ids are BPMN candidate groups), roles, users and their roles. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('departments', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`id ~ '^[a-z][a-z0-9-]{1,31}$'`, [], 'departments_id_format');
  });

  await knex.schema.createTable('roles', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
  });

  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('username').notNullable().unique();
    t.text('display_name').notNullable();
    t.text('password_hash').notNullable();
    t.text('department_id').nullable().references('id').inTable('departments').onDelete('RESTRICT');
    t.uuid('unit_id').nullable(); // foreign key added with the units table
    t.boolean('is_demo').notNullable().defaultTo(false);
    t.timestamp('disabled_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`username ~ '^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$'`, [], 'users_username_format');
    t.check(`password_hash like 'scrypt$%'`, [], 'users_password_hash_format');
  });

  await knex.schema.createTable('user_roles', (t) => {
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('role_id').notNullable().references('id').inTable('roles').onDelete('RESTRICT');
    t.primary(['user_id', 'role_id']);
  });
  await knex.schema.alterTable('user_roles', (t) => t.index(['role_id']));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('user_roles');
  await knex.schema.dropTable('users');
  await knex.schema.dropTable('roles');
  await knex.schema.dropTable('departments');
}

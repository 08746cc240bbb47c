import type { Knex } from 'knex';

// 实名制 data imports (POST /api/imports): one row per uploaded file checked or applied — the file's name
// and sha256, the rows per kind, the outcome, and the problems found (capped at 5,000; the counts are
// complete). The problems name sheets, rows, columns and codes, not the rows' personal data.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('imports', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('file_name').notNullable();
    t.text('sha256').notNullable();
    t.jsonb('kind_counts').notNullable().defaultTo('{}'); // { units: n, quotas: n, … persons: n, payroll: n }
    t.text('status').notNullable(); // dry-run | applied | failed
    t.integer('error_count').notNullable().defaultTo(0);
    t.integer('warning_count').notNullable().defaultTo(0);
    t.jsonb('problems').notNullable().defaultTo('[]');
    t.uuid('created_by').nullable().references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at']);
    t.index(['sha256']);
    t.check(`status in ('dry-run', 'applied', 'failed')`, [], 'imports_status_valid');
    t.check(`sha256 ~ '^[0-9a-f]{64}$'`, [], 'imports_sha256_format');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('imports');
}

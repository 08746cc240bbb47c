import type { Knex } from 'knex';

/**
 * Versioned parameter tables (salary standards, rates, 社平工资, retirement rules: data, not code;
 * domain-spec.md §0) and generated documents (numbered; signed for QR verification).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('parameters', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('key').notNullable(); // e.g. 'salary.civil-servant.post-wage'
    t.integer('version').notNullable();
    t.date('valid_from').notNullable();
    t.date('valid_to').nullable(); // exclusive; null = open-ended
    t.jsonb('value').notNullable();
    t.text('status').notNullable(); // confidence tag of domain-spec.md §0: A | B | C
    t.text('doc_no').nullable(); // 文号
    t.text('source').nullable();
    t.text('note').nullable();
    t.uuid('created_by').nullable().references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['key', 'version']);
    t.index(['key', 'valid_from']);
    t.check('version >= 1', [], 'parameters_version_positive');
    t.check(`status in ('A', 'B', 'C')`, [], 'parameters_status_valid');
    t.check('valid_to is null or valid_to > valid_from', [], 'parameters_validity_ordered');
  });

  await knex.schema.createTable('documents', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('number').notNullable().unique(); // {district}-{type}-{yyyy}-{seq}
    t.text('type').notNullable();
    t.jsonb('payload').notNullable();
    t.uuid('process_instance_id').nullable();
    t.uuid('unit_id').nullable().references('id').inTable('units').onDelete('RESTRICT');
    t.uuid('person_id').nullable().references('id').inTable('persons').onDelete('RESTRICT');
    t.text('signature').nullable();
    t.uuid('issued_by').nullable().references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['process_instance_id']);
    t.index(['type', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('documents');
  await knex.schema.dropTable('parameters');
}

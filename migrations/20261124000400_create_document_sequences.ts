import type { Knex } from 'knex';

/**
 * Gapless document numbers ({district}-{type}-{yyyy}-{seq}, domain-spec.md §2.5): one counter row per
 * district × type × year, incremented by `insert … on conflict do update … returning last_seq` in the
 * transaction that inserts the document, so the row lock serializes concurrent issues and a rollback
 * takes the number back. On documents: the 签发日期 (its year is the number's year), the sequence
 * number, and the idempotency key that makes a second issue of the same step return the first document.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('document_sequences', (t) => {
    t.text('district').notNullable();
    t.text('type').notNullable();
    t.integer('year').notNullable();
    t.integer('last_seq').notNullable();
    t.primary(['district', 'type', 'year']);
    t.check('last_seq >= 1', [], 'document_sequences_last_seq_positive');
    t.check('year between 2000 and 2100', [], 'document_sequences_year_range');
  });

  await knex.schema.alterTable('documents', (t) => {
    t.date('issued_on').nullable(); // 签发日期; null only on rows from before this migration
    t.integer('seq').nullable(); // the number's sequence part
    t.text('idempotency_key').nullable().unique();
    t.check('seq is null or seq >= 1', [], 'documents_seq_positive');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('documents', (t) => {
    t.dropChecks(['documents_seq_positive']);
    t.dropUnique(['idempotency_key']);
    t.dropColumn('idempotency_key');
    t.dropColumn('seq');
    t.dropColumn('issued_on');
  });
  await knex.schema.dropTable('document_sequences');
}

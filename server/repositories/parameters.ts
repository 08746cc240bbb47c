// The versioned parameter tables (domain-spec.md §0: every amount, rate, table and threshold is data
// with effective dates, a 文号 and a confidence tag). Rows are only ever added: a change is a new version.
import type { Knex } from 'knex';

export interface ParameterRow {
  id: string;
  key: string;
  version: number;
  valid_from: string;
  valid_to: string | null;
  value: unknown;
  status: 'A' | 'B' | 'C';
  doc_no: string | null;
  source: string | null;
  note: string | null;
  created_by: string | null;
  created_at: Date;
}

export interface NewParameterVersion {
  key: string;
  validFrom: string;
  validTo?: string | null;
  value: unknown;
  status: 'A' | 'B' | 'C';
  docNo?: string | null;
  source?: string | null;
  note?: string | null;
  createdBy?: string | null;
}

// dates come back as yyyy-mm-dd strings (server/core/db.ts sets the DATE type parser)
const COLUMNS = ['id', 'key', 'version', 'valid_from', 'valid_to', 'value', 'status', 'doc_no', 'source', 'note', 'created_by', 'created_at'];

const toRow = (raw: Record<string, unknown>): ParameterRow => raw as unknown as ParameterRow;

export function createParametersRepository(db: Knex) {
  return {
    /** The version in force on `day` (yyyy-mm-dd): the latest valid_from ≤ day not ended by valid_to; the highest version wins a tie. */
    async inForce(key: string, day: string): Promise<ParameterRow | undefined> {
      const row = await db('parameters')
        .where({ key })
        .where('valid_from', '<=', day)
        .where((q) => q.whereNull('valid_to').orWhere('valid_to', '>', day))
        .orderBy([{ column: 'valid_from', order: 'desc' }, { column: 'version', order: 'desc' }])
        .first(COLUMNS);
      return row ? toRow(row) : undefined;
    },

    async versions(key: string): Promise<ParameterRow[]> {
      const rows = await db('parameters').where({ key }).orderBy('version', 'asc').select(COLUMNS);
      return rows.map(toRow);
    },

    /** Every key with its latest version. */
    async latestOfEachKey(): Promise<ParameterRow[]> {
      const rows = await db('parameters as p')
        .whereRaw('p.version = (select max(q.version) from parameters q where q.key = p.key)')
        .orderBy('p.key')
        .select(COLUMNS.map((c) => `p.${c}`));
      return rows.map(toRow);
    },

    async keysPresent(): Promise<Set<string>> {
      const rows = (await db('parameters').distinct('key')) as Array<{ key: string }>;
      return new Set(rows.map((r) => r.key));
    },

    /** Adds the next version of `key` (version = max + 1, taken under a lock of the key so two writers never collide). */
    async addVersion(trx: Knex.Transaction, draft: NewParameterVersion): Promise<ParameterRow> {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`parameters:${draft.key}`]);
      const max = (await trx('parameters').where({ key: draft.key }).max('version as v').first()) as { v: number | null } | undefined;
      const [row] = await trx('parameters')
        .insert({
          key: draft.key,
          version: (max?.v ?? 0) + 1,
          valid_from: draft.validFrom,
          valid_to: draft.validTo ?? null,
          value: JSON.stringify(draft.value),
          status: draft.status,
          doc_no: draft.docNo ?? null,
          source: draft.source ?? null,
          note: draft.note ?? null,
          created_by: draft.createdBy ?? null,
        })
        .returning(COLUMNS);
      return toRow(row);
    },
  };
}

export type ParametersRepository = ReturnType<typeof createParametersRepository>;

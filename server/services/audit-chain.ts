// Checks the hash chain of the audit log: every row's hash must be the hash of its content and the
// row before it, and every row must name the row before it as its predecessor (a missing row breaks
// that link). The first problem is reported with its sequence number.
import type { Knex } from 'knex';
import { contentOf, GENESIS_HASH, hashAuditEvent, type AuditEventRow } from '../repositories/audit-events';

export type ChainProblem =
  | { kind: 'altered'; seq: number; message: string }
  | { kind: 'gap'; seq: number; message: string };

export interface ChainReport {
  intact: boolean;
  checked: number;
  headSeq: number | null;
  headHash: string | null;
  problem: ChainProblem | null;
}

export function rowHash(row: AuditEventRow): string {
  return hashAuditEvent(row.prev_hash, contentOf(row));
}

/** Checks one row against its content and against the row that precedes it (undefined: the first row). */
export function checkRow(row: AuditEventRow, previous: AuditEventRow | undefined | null): ChainProblem | null {
  const seq = Number(row.seq);
  if (rowHash(row) !== row.hash) return { kind: 'altered', seq, message: `第 ${seq} 条审计记录的内容与其哈希不符（被改动）` };
  const expectedPrev = previous ? previous.hash : GENESIS_HASH;
  if (row.prev_hash !== expectedPrev) {
    const after = previous ? Number(previous.seq) : 0;
    return { kind: 'gap', seq, message: `第 ${seq} 条审计记录与前一条（第 ${after} 条）不相连：其间有记录缺失或被改动` };
  }
  return null;
}

/** The whole chain, read in batches. */
export async function verifyWholeChain(db: Knex, batchSize = 5000): Promise<ChainReport> {
  let previous: AuditEventRow | null = null;
  let checked = 0;
  for (;;) {
    const rows: AuditEventRow[] = await db('audit_events')
      .where('seq', '>', previous ? previous.seq : 0)
      .orderBy('seq')
      .limit(batchSize);
    for (const row of rows) {
      const problem = checkRow(row, previous);
      if (problem) return { intact: false, checked, headSeq: previous ? Number(previous.seq) : null, headHash: previous?.hash ?? null, problem };
      previous = row;
      checked++;
    }
    if (rows.length < batchSize) break;
  }
  return { intact: true, checked, headSeq: previous ? Number(previous.seq) : null, headHash: previous?.hash ?? null, problem: null };
}

/**
 * One instance's rows, each checked against its own content and against the row just before it in
 * the whole log (the nearest lower sequence number: numbers skipped by a rolled-back transaction are
 * no gap, a deleted row is).
 */
export async function verifyInstanceChain(db: Knex, rows: AuditEventRow[]): Promise<ChainReport> {
  const predecessors = new Map<number, AuditEventRow>();
  if (rows.length) {
    const found = await db.raw(
      `select e.seq as of_seq, p.* from unnest(?::bigint[]) as e(seq)
       join lateral (select * from audit_events a where a.seq < e.seq order by a.seq desc limit 1) p on true`,
      [rows.map((r) => Number(r.seq))],
    );
    for (const row of found.rows) predecessors.set(Number(row.of_seq), row);
  }
  let checked = 0;
  for (const row of rows) {
    const problem = checkRow(row, predecessors.get(Number(row.seq)));
    if (problem) return { intact: false, checked, headSeq: null, headHash: null, problem };
    checked++;
  }
  const last = rows[rows.length - 1];
  return { intact: true, checked, headSeq: last ? Number(last.seq) : null, headHash: last?.hash ?? null, problem: null };
}

// Idempotency keys: a pending row claims the key while the request runs; a done row keeps the answer.
import type { Knex } from 'knex';

export interface IdempotencyRow {
  username: string;
  key: string;
  operation: string;
  target_id: string;
  request_hash: string;
  status: 'pending' | 'done';
  response_status: number | null;
  response_body: unknown;
  created_at: Date;
  completed_at: Date | null;
}

export interface IdempotencyClaim {
  username: string;
  key: string;
  operation: string;
  targetId: string;
  requestHash: string;
}

/** Claims the key; returns undefined when it was free (now pending), else the row that holds it. */
export async function claimIdempotencyKey(db: Knex, claim: IdempotencyClaim): Promise<IdempotencyRow | undefined> {
  const inserted = await db('idempotency_keys')
    .insert({ username: claim.username, key: claim.key, operation: claim.operation, target_id: claim.targetId, request_hash: claim.requestHash })
    .onConflict(['username', 'key'])
    .ignore()
    .returning('key');
  if (inserted.length) return undefined;
  return db('idempotency_keys').where({ username: claim.username, key: claim.key }).first();
}

export async function finishIdempotencyKey(db: Knex, username: string, key: string, status: number, body: unknown): Promise<void> {
  await db('idempotency_keys')
    .where({ username, key })
    .update({ status: 'done', response_status: status, response_body: body === undefined ? null : JSON.stringify(body), completed_at: db.fn.now() });
}

/** Frees a pending key (the request failed: the caller may retry with the same key). */
export async function releaseIdempotencyKey(db: Knex, username: string, key: string): Promise<void> {
  await db('idempotency_keys').where({ username, key, status: 'pending' }).delete();
}

export async function pruneIdempotencyKeys(db: Knex, before: Date): Promise<number> {
  return db('idempotency_keys').where('created_at', '<', before).delete();
}

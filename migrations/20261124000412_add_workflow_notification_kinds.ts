import type { Knex } from 'knex';

// Notification kinds of the workflows: 'veterans.retiree' (the 老干部局 is told about a retiree, domain-spec.md
// §1.2 J1 step 6) and 'retirement.due' (到龄预警: a unit's clerks are told who reaches retirement soon).
// The check constraint's list is read from the database and extended (down: reduced), not rewritten, so
// that migrations adding other kinds keep theirs in whatever order they run.
const CONSTRAINT = 'notifications_kind_valid';
const KINDS = ['veterans.retiree', 'retirement.due'];

async function kinds(knex: Knex): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: Array<{ def: string }> }>(
    `select pg_get_constraintdef(oid) as def from pg_constraint where conname = ? and conrelid = 'notifications'::regclass`,
    [CONSTRAINT],
  );
  if (!rows[0]) throw new Error(`constraint ${CONSTRAINT} not found`);
  return [...rows[0].def.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
}

async function replace(knex: Knex, list: string[]): Promise<void> {
  const quoted = list.map((k) => `'${k.replace(/'/g, "''")}'`).join(', ');
  await knex.raw(`alter table notifications drop constraint ${CONSTRAINT}`);
  await knex.raw(`alter table notifications add constraint ${CONSTRAINT} check (kind in (${quoted}))`);
}

export async function up(knex: Knex): Promise<void> {
  const list = await kinds(knex);
  await replace(knex, [...list, ...KINDS.filter((k) => !list.includes(k))]);
}

export async function down(knex: Knex): Promise<void> {
  await knex('notifications').whereIn('kind', KINDS).delete();
  await replace(knex, (await kinds(knex)).filter((k) => !KINDS.includes(k)));
}

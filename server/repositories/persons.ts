// Persons (实名制 records, one row per ID number) and their events, as the quota and person workers change
// them. Rows hold personal data: never log them. `db` may be a transaction.
import type { Knex } from 'knex';
import { isUuid } from '../core/errors';

export type PersonStatus = 'active' | 'history' | 'retired';

export interface PersonRow {
  id: string;
  id_number: string;
  name: string;
  gender: string;
  birth_date: string;
  status: PersonStatus;
  unit_id: string | null;
  bianzhi_type: string | null;
  post: string | null;
  entered_on: string | null;
  profile: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export type PersonEventType = 'enter' | 'leave' | 'retire' | 'transfer' | 'post-change' | 'type-change';

export interface PersonEventRow {
  id: string;
  person_id: string;
  event_type: PersonEventType;
  occurred_on: string;
  unit_id: string | null;
  from_unit_id: string | null;
  bianzhi_type: string | null;
  reason: string | null;
  process_instance_id: string | null;
  document_number: string | null;
  details: Record<string, unknown>;
  recorded_at: Date;
}

export interface NewPersonEvent {
  personId: string;
  eventType: PersonEventType;
  occurredOn: string;
  unitId?: string | null;
  fromUnitId?: string | null;
  bianzhiType?: string | null;
  reason?: string | null;
  /** the engine's instance id; stored only when it is a uuid (the column's type), always in details.jobKey */
  instanceId?: string | null;
  documentNumber?: string | null;
  details?: Record<string, unknown>;
}

/** profile.leaderPost when it names a 领导职数 slot (leader_posts level + principal/deputy). */
export function leaderPostOf(profile: Record<string, unknown> | null | undefined): { level: string; kind: 'principal' | 'deputy' } | undefined {
  const post = profile?.leaderPost as { level?: unknown; kind?: unknown } | undefined;
  if (post && typeof post.level === 'string' && (post.kind === 'principal' || post.kind === 'deputy')) return { level: post.level, kind: post.kind };
  return undefined;
}

export function withoutLeaderPost(profile: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const { leaderPost: _dropped, ...rest } = profile ?? {};
  return rest;
}

export async function findPerson(db: Knex, id: string): Promise<PersonRow | undefined> {
  if (!isUuid(id)) return undefined;
  return db('persons').where({ id }).first();
}

/** The person row of `id`, locked until the transaction ends (one person's changes are serialized). */
export async function lockPerson(trx: Knex, id: string): Promise<PersonRow | undefined> {
  if (!isUuid(id)) return undefined;
  return trx('persons').where({ id }).forUpdate().first();
}

export async function findPersonByIdNumber(db: Knex, idNumber: string): Promise<PersonRow | undefined> {
  return db('persons').where({ id_number: idNumber }).first();
}

export interface ActivePersonDraft {
  idNumber: string;
  name: string;
  gender: string;
  birthDate: string;
  unitId: string;
  bianzhiType: string;
  post: string | null;
  enteredOn: string;
  profile: Record<string, unknown>;
}

/**
 * 入编 by ID number: inserts the person, or turns a history/retired row of the same ID number active again
 * (re-entry). Undefined when the ID number is already active anywhere (一人一编).
 */
export async function upsertActivePerson(trx: Knex, p: ActivePersonDraft): Promise<PersonRow | undefined> {
  const values = {
    id_number: p.idNumber,
    name: p.name,
    gender: p.gender,
    birth_date: p.birthDate,
    status: 'active',
    unit_id: p.unitId,
    bianzhi_type: p.bianzhiType,
    post: p.post,
    entered_on: p.enteredOn,
    profile: JSON.stringify(p.profile),
  };
  const result = await trx.raw<{ rows: PersonRow[] }>(
    `insert into persons (id_number, name, gender, birth_date, status, unit_id, bianzhi_type, post, entered_on, profile)
     values (:id_number, :name, :gender, :birth_date, :status, :unit_id, :bianzhi_type, :post, :entered_on, cast(:profile as jsonb))
     on conflict (id_number) do update set
       name = excluded.name, gender = excluded.gender, birth_date = excluded.birth_date, status = 'active',
       unit_id = excluded.unit_id, bianzhi_type = excluded.bianzhi_type, post = excluded.post,
       entered_on = excluded.entered_on, profile = persons.profile || excluded.profile, updated_at = now()
     where persons.status <> 'active'
     returning *`,
    values,
  );
  return result.rows[0];
}

export async function updatePerson(trx: Knex, id: string, changes: Partial<Pick<PersonRow, 'status' | 'unit_id' | 'bianzhi_type' | 'post' | 'profile'>>): Promise<void> {
  const row: Record<string, unknown> = { ...changes, updated_at: trx.fn.now() };
  if (changes.profile !== undefined) row.profile = JSON.stringify(changes.profile);
  await trx('persons').where({ id }).update(row);
}

export async function insertPersonEvent(trx: Knex, e: NewPersonEvent): Promise<PersonEventRow> {
  const [row] = (await trx('person_events')
    .insert({
      person_id: e.personId,
      event_type: e.eventType,
      occurred_on: e.occurredOn,
      unit_id: e.unitId ?? null,
      from_unit_id: e.fromUnitId ?? null,
      bianzhi_type: e.bianzhiType ?? null,
      reason: e.reason ?? null,
      process_instance_id: isUuid(e.instanceId) ? e.instanceId : null,
      document_number: e.documentNumber ?? null,
      details: JSON.stringify(e.details ?? {}),
    })
    .returning('*')) as PersonEventRow[];
  return row!;
}

/** The person's event of these types whose details contain `match` (idempotency: details.jobKey, reservationId). */
export async function findPersonEvent(db: Knex, personId: string, types: readonly PersonEventType[], match: Record<string, unknown>): Promise<PersonEventRow | undefined> {
  return db('person_events')
    .where({ person_id: personId })
    .whereIn('event_type', [...types])
    .whereRaw('details @> ?::jsonb', [JSON.stringify(match)])
    .orderBy('recorded_at', 'desc')
    .first();
}

export async function listPersonEvents(db: Knex, personId: string): Promise<PersonEventRow[]> {
  return db('person_events').where({ person_id: personId }).orderBy([{ column: 'occurred_on' }, { column: 'recorded_at' }]);
}

/** 一人一编 (§7.4 V7): the active record of this ID number, if any. */
export async function findActiveByIdNumber(db: Knex, idNumber: string): Promise<PersonRow | undefined> {
  return db('persons').where({ id_number: idNumber, status: 'active' }).first();
}

// -- person_archives --------------------------------------------------------------------------------------------

export interface PersonArchiveRow {
  id: string;
  person_id: string;
  archived_at: Date;
  reason: string;
  snapshot: Record<string, unknown>;
  instance_id: string;
}

/** Inserts the archive record; undefined when the instance already archived this person. */
export async function insertPersonArchive(trx: Knex, a: { personId: string; reason: string; snapshot: Record<string, unknown>; instanceId: string }): Promise<PersonArchiveRow | undefined> {
  const rows = (await trx('person_archives')
    .insert({ person_id: a.personId, reason: a.reason, snapshot: JSON.stringify(a.snapshot), instance_id: a.instanceId })
    .onConflict(['instance_id', 'person_id'])
    .ignore()
    .returning('*')) as PersonArchiveRow[];
  return rows[0];
}

export async function findPersonArchive(db: Knex, instanceId: string, personId: string): Promise<PersonArchiveRow | undefined> {
  return db('person_archives').where({ instance_id: instanceId, person_id: personId }).first();
}

export interface PersonSearch {
  /** part of the name, or the start of the ID number */
  q: string;
  /** only these units' staff; undefined = every unit */
  unitIds?: readonly string[];
  /** only this unit's staff */
  unitId?: string;
  limit: number;
}

/** Staff on the rolls (status active) whose name contains q or whose ID number starts with it, by name. */
export async function searchActivePersons(db: Knex, search: PersonSearch): Promise<Array<PersonRow & { unit_code: string | null; unit_name: string | null }>> {
  const pattern = search.q.replace(/[\\%_]/g, (c) => `\\${c}`);
  const query = db('persons as p')
    .leftJoin('units as u', 'u.id', 'p.unit_id')
    .select('p.*', 'u.code as unit_code', 'u.name as unit_name')
    .where('p.status', 'active')
    .where((w) => w.where('p.name', 'like', `%${pattern}%`).orWhere('p.id_number', 'like', `${pattern.toUpperCase()}%`))
    .orderBy(['p.name', 'p.id'])
    .limit(search.limit);
  if (search.unitIds) query.whereIn('p.unit_id', [...search.unitIds]);
  if (search.unitId) query.where('p.unit_id', search.unitId);
  return query;
}

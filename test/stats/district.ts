// A small district for the statistics tests: five units, ~200 persons with known distributions, 减员 cases with
// known 出编 delays, and the plain-JS state the tests compute their expectations from (never the report SQL).
import type { Knex } from 'knex';

export interface UnitFx {
  id: string;
  code: string;
  name: string;
  nature: 'organ' | 'institution';
  funding: 'full' | 'partial' | 'self';
  parent: string | null; // code
}

export interface PersonFx {
  id: string;
  idNumber: string;
  unit: string; // code
  type: string;
  gender: '1' | '2';
  birth: string;
  archiveBirth?: string;
  post: string;
  education: string | null;
  degree: string | null;
  political: string | null;
  leader?: { level: string; kind: 'principal' | 'deputy' };
  status: 'active' | 'retired' | 'history';
}

export interface QuotaFx {
  unit: string;
  type: string;
  approved: number;
  reserved: number;
}

export interface LeaderPostFx {
  unit: string;
  kind: 'principal' | 'deputy';
  approved: number;
}

export interface CaseFx {
  instanceId: string;
  process: string;
  unit: string;
  eventDate: string;
  /** the day the 出编 was recorded; null: not yet */
  vacatedOn: string | null;
  personId: string;
}

export interface EventFx {
  personId: string;
  type: 'enter' | 'leave' | 'retire' | 'transfer';
  occurredOn: string;
  recordedOn: string;
  unit: string;
  process: string | null;
}

export interface DistrictState {
  units: UnitFx[];
  quotas: QuotaFx[];
  leaderPosts: LeaderPostFx[];
  persons: PersonFx[];
  cases: CaseFx[];
  events: EventFx[];
}

export const clone = (s: DistrictState): DistrictState => JSON.parse(JSON.stringify(s)) as DistrictState;

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

let seq = 0;
const uuid = () => {
  seq += 1;
  const hex = seq.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
};
let idSeq = 100;

export function newPerson(r: () => number, unit: string, type: string, overrides: Partial<PersonFx> = {}): PersonFx {
  const gender = overrides.gender ?? (r() < 0.45 ? '2' : '1');
  const year = 1963 + Math.floor(r() * 40);
  const birth = `${year}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`;
  idSeq += 1;
  return {
    id: uuid(),
    idNumber: `110101${birth.replaceAll('-', '')}${pad(idSeq % 1000, 3)}${idSeq >= 1000 ? 'X' : '1'}`,
    unit,
    type,
    gender,
    birth,
    post: type === 'GQ' ? '工勤技能四级' : type === 'SY' ? '专业技术十级' : '一级科员',
    education: pick(r, ['11', '14', '21', '21', '21', '31', '31', '41', '61', '90', null]),
    degree: pick(r, ['doctor', 'master', 'bachelor', 'bachelor', 'none', null]),
    political: pick(r, ['01', '01', '02', '03', '05', '12', '13', '13', null]),
    status: 'active',
    ...overrides,
  };
}

/** The district as it stands before the first snapshot (month 2026-09). */
export function initialDistrict(): DistrictState {
  const r = rng(20261124);
  const units: UnitFx[] = [
    { id: uuid(), code: 'S1', name: '区委办公室', nature: 'organ', funding: 'full', parent: null },
    { id: uuid(), code: 'S2', name: '区政府办公室', nature: 'organ', funding: 'full', parent: null },
    { id: uuid(), code: 'S1A', name: '区档案馆', nature: 'institution', funding: 'partial', parent: 'S1' },
    { id: uuid(), code: 'S1B', name: '区机关事务中心', nature: 'organ', funding: 'full', parent: 'S1' },
    { id: uuid(), code: 'S2C', name: '区政务服务中心', nature: 'institution', funding: 'self', parent: 'S2' },
  ];
  const quotas: QuotaFx[] = [
    { unit: 'S1', type: 'XZ', approved: 40, reserved: 2 },
    { unit: 'S1', type: 'GQ', approved: 5, reserved: 0 },
    { unit: 'S2', type: 'XZ', approved: 30, reserved: 0 },
    { unit: 'S1A', type: 'SY', approved: 60, reserved: 5 },
    { unit: 'S1B', type: 'XZ', approved: 20, reserved: 0 },
    { unit: 'S1B', type: 'GQ', approved: 3, reserved: 0 },
    { unit: 'S2C', type: 'SY', approved: 50, reserved: 1 },
  ];
  const counts: Record<string, number> = { 'S1 XZ': 38, 'S1 GQ': 6, 'S2 XZ': 25, 'S1A SY': 58, 'S1B XZ': 22, 'S1B GQ': 3, 'S2C SY': 40 };
  const persons: PersonFx[] = [];
  for (const [slot, n] of Object.entries(counts)) {
    const [unit, type] = slot.split(' ') as [string, string];
    for (let i = 0; i < n; i++) {
      const leader = type === 'GQ' ? undefined : i === 0 ? { level: '乡科级', kind: 'principal' as const } : i <= (unit === 'S1B' ? 3 : 1) ? { level: '乡科级', kind: 'deputy' as const } : undefined;
      persons.push(newPerson(r, unit, type, leader ? { leader } : {}));
    }
  }
  // 档案认定出生日期 differing from the ID number's for three persons
  for (const p of persons.slice(5, 8)) p.archiveBirth = `${Number(p.birth.slice(0, 4)) - 1}${p.birth.slice(4)}`;
  const leaderPosts: LeaderPostFx[] = units.flatMap((u) => [
    { unit: u.code, kind: 'principal' as const, approved: 1 },
    { unit: u.code, kind: 'deputy' as const, approved: u.code === 'S2' ? 2 : 1 },
  ]);
  // 入编 events, spread over 2021–2026, by Z1/Z2/Z3 or none
  const events: EventFx[] = persons.map((p, i) => {
    const year = 2021 + (i % 6);
    const occurredOn = `${year}-${pad(1 + (i % 9))}-${pad(1 + (i % 27))}`;
    return { personId: p.id, type: 'enter', occurredOn, recordedOn: occurredOn, unit: p.unit, process: pick(r, ['staff-add-recruitment', 'staff-add-recruitment', 'staff-add-transfer-in', 'staff-add-placement', null]) };
  });
  // 减员 cases in 2026-06 … 09 with known 出编 days (history persons)
  const cases: CaseFx[] = [];
  const caseSpecs: Array<[string, string, string, string | null]> = [
    ['staff-reduce-retirement', 'S1', '2026-06-01', '2026-06-05'],
    ['staff-reduce-retirement', 'S1', '2026-06-15', '2026-06-29'], // 10 working days (端午 6-19 holiday)
    ['staff-reduce-retirement', 'S2', '2026-07-01', '2026-07-20'], // late
    ['staff-reduce-transfer-out', 'S1A', '2026-07-10', '2026-07-17'],
    ['staff-reduce-transfer-out', 'S1A', '2026-08-03', '2026-08-31'], // late
    ['staff-reduce-exit', 'S2C', '2026-08-20', '2026-08-21'],
    ['staff-reduce-exit', 'S1B', '2026-09-01', null], // overdue at 09-30
    ['staff-reduce-retirement', 'S2C', '2026-09-25', null], // pending at 09-30 (国庆 holidays after)
    ['staff-reduce-exit', 'S2', '2026-09-28', '2026-10-09'], // done after the month end: not done at 09-30
  ];
  for (const [process, unit, eventDate, vacatedOn] of caseSpecs) {
    const type = process === 'staff-reduce-retirement' ? 'XZ' : 'SY';
    const person = newPerson(r, unit, unit.startsWith('S1A') || unit.startsWith('S2C') ? 'SY' : type, { status: 'history' });
    persons.push(person);
    cases.push({ instanceId: uuid(), process, unit, eventDate, vacatedOn, personId: person.id });
    if (vacatedOn) events.push({ personId: person.id, type: process === 'staff-reduce-retirement' ? 'retire' : 'leave', occurredOn: eventDate, recordedOn: vacatedOn, unit, process });
  }
  return { units, quotas, leaderPosts, persons, cases, events };
}

const unitId = (s: DistrictState, code: string) => s.units.find((u) => u.code === code)!.id;

/** Writes the whole state into empty tables (after resetDatabase). */
export async function writeDistrict(knex: Knex, s: DistrictState): Promise<void> {
  const definitionIds = new Map<string, string>();
  const processes = [...new Set([...s.events.map((e) => e.process).filter((p): p is string => !!p), ...s.cases.map((c) => c.process)])];
  for (const process of processes) {
    const [row] = await knex('process_definitions').insert({ process_id: process, version: 1, resource_name: `${process}.bpmn`, xml: '<x/>', checksum: 'x', deployed_by: 'test' }).returning('id');
    definitionIds.set(process, row.id);
  }
  for (const u of s.units.filter((u) => !u.parent)) await insertUnit(knex, u, null);
  for (const u of s.units.filter((u) => u.parent)) await insertUnit(knex, u, unitId(s, u.parent!));
  await knex('quotas').insert(s.quotas.map((q) => ({ unit_id: unitId(s, q.unit), bianzhi_type: q.type, approved: q.approved, reserved: q.reserved, actual: activeIn(s, q.unit, q.type) })));
  await knex('leader_posts').insert(
    s.leaderPosts.map((l) => ({ unit_id: unitId(s, l.unit), level: '乡科级', kind: l.kind, approved: l.approved, actual: s.persons.filter((p) => p.status === 'active' && p.unit === l.unit && p.leader?.kind === l.kind).length })),
  );
  for (let i = 0; i < s.persons.length; i += 200) await knex('persons').insert(s.persons.slice(i, i + 200).map((p) => personRow(s, p)));
  // one instance per add process for the 入编 events, one per 减员 case
  const addInstances = new Map<string, string>();
  for (const process of processes.filter((p) => p.startsWith('staff-add'))) {
    const [row] = await knex('process_instances').insert({ definition_id: definitionIds.get(process), process_id: process, version: 1, state: 'completed', started_by: 'test', variables: {} }).returning('id');
    addInstances.set(process, row.id);
  }
  for (const c of s.cases) {
    await knex('process_instances').insert({
      id: c.instanceId,
      definition_id: definitionIds.get(c.process),
      process_id: c.process,
      version: 1,
      state: c.vacatedOn ? 'completed' : 'active',
      started_by: 'test',
      variables: { unitId: unitId(s, c.unit), personId: c.personId, eventDate: c.eventDate },
    });
  }
  const caseOf = new Map(s.cases.map((c) => [c.personId, c.instanceId]));
  await knex('person_events').insert(
    s.events.map((e) => ({
      person_id: e.personId,
      event_type: e.type,
      occurred_on: e.occurredOn,
      unit_id: unitId(s, e.unit),
      process_instance_id: e.type === 'enter' ? (e.process ? addInstances.get(e.process) : null) : (caseOf.get(e.personId) ?? null),
      recorded_at: `${e.recordedOn}T10:00:00+08:00`,
    })),
  );
}

async function insertUnit(knex: Knex, u: UnitFx, parentId: string | null) {
  await knex('units').insert({ id: u.id, code: u.code, name: u.name, nature: u.nature, funding_form: u.funding, parent_unit_id: parentId });
}

export function personRow(s: DistrictState, p: PersonFx) {
  return {
    id: p.id,
    id_number: p.idNumber,
    name: `测试${p.idNumber.slice(-4)}`,
    gender: p.gender,
    birth_date: p.birth,
    status: p.status,
    unit_id: p.status === 'active' ? unitId(s, p.unit) : null,
    bianzhi_type: p.status === 'active' ? p.type : null,
    post: p.post,
    entered_on: '2021-01-01',
    profile: {
      ...(p.education ? { education: p.education } : {}),
      ...(p.degree ? { degree: p.degree } : {}),
      ...(p.political ? { politicalStatus: p.political } : {}),
      ...(p.leader ? { leaderPost: p.leader } : {}),
      ...(p.archiveBirth ? { archiveBirthDate: p.archiveBirth } : {}),
    },
  };
}

export const activeIn = (s: DistrictState, unit: string, type: string) => s.persons.filter((p) => p.status === 'active' && p.unit === unit && p.type === type).length;
export const unitIdOf = unitId;

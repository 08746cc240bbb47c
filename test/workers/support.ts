// Shared by the worker tests: the demo district, persons in it, the deps a handler gets and what it answered.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import type { Clock } from '../../server/core/clock';
import { idNumberCheckDigit } from '../../domain/id-number';
import { createSilentLogger } from '../../server/core/logger';
import { seedDemo } from '../../server/demo/seed';
import type { DocumentService } from '../../server/services/documents';
import { createParameterStore } from '../../server/services/parameters';
import type { JobOutcome } from '../../workers/job';
import type { WorkerDeps } from '../../workers/registry';
import { getTestDatabase, resetDatabase } from '../support/db';

export function workerDeps(knex: Knex, clock: Clock): WorkerDeps {
  return { db: knex, clock, parameters: createParameterStore(knex, clock), documents: {} as DocumentService };
}

/** Empties the test database (the built-in parameter defaults come back with it) and seeds the demo district; `units` maps code → id. */
export async function demoDistrict(): Promise<{ knex: Knex; units: Record<string, string> }> {
  const { knex } = await getTestDatabase();
  await resetDatabase(knex);
  await seedDemo(knex, createSilentLogger());
  const rows = (await knex('units').select('id', 'code')) as Array<{ id: string; code: string }>;
  return { knex, units: Object.fromEntries(rows.map((row) => [row.code, row.id])) };
}

/** The variables of a `complete` outcome; any other outcome fails the test, showing it. */
export function completeVariables<V>(outcome: JobOutcome): V {
  assert.equal(outcome.outcome, 'complete', JSON.stringify(outcome));
  return (outcome as unknown as { variables: V }).variables;
}

/** An incident a clerk must fix: a fail without retries whose message names `field`. */
export function assertIncident(outcome: JobOutcome, field: string): void {
  assert.equal(outcome.outcome, 'fail', JSON.stringify(outcome));
  assert.equal((outcome as { retries?: number }).retries, 0);
  assert.ok((outcome as { message: string }).message.includes(field), (outcome as { message: string }).message);
}

let sequence = 400;
/** Inserts an active person of demo unit U001 (XZ) and returns the id. */
export async function insertPerson(knex: Knex, p: { gender: '1' | '2'; birthDate: string; post?: string; bianzhiType?: string; profile?: Record<string, unknown>; unitCode?: string; name?: string }): Promise<string> {
  sequence += 1;
  const unit = (await knex('units').where({ code: p.unitCode ?? 'U001' }).first('id')) as { id: string };
  const first17 = `370612${p.birthDate.replace(/-/g, '')}${String((sequence * 2 + (p.gender === '1' ? 1 : 0)) % 1000).padStart(3, '0')}`;
  const [row] = await knex('persons')
    .insert({
      id_number: first17 + idNumberCheckDigit(first17),
      name: p.name ?? `测试${sequence}`,
      gender: p.gender,
      birth_date: p.birthDate,
      status: 'active',
      unit_id: unit.id,
      bianzhi_type: p.bianzhiType ?? 'XZ',
      post: p.post ?? '一级主任科员',
      profile: JSON.stringify(p.profile ?? {}),
    })
    .returning('id');
  return (row as { id: string }).id;
}

/** People around 2026-11-24 (see the statutory dates in the comments); demo people are made young first. */
export async function seedRetirementPeople(knex: Knex): Promise<Record<'A' | 'B' | 'C' | 'D' | 'E', string>> {
  await knex('persons').update({ birth_date: '1995-06-15' });
  return {
    // man 1966-10 → 60y6m → 2027-04 (outside 3 months, inside 6)
    A: await insertPerson(knex, { gender: '1', birthDate: '1966-10-05', name: '甲' }),
    // man 1966-07 → 60y5m → 2026-12-20
    B: await insertPerson(knex, { gender: '1', birthDate: '1966-07-20', name: '乙' }),
    // woman55 1971-07 → 55y5m → 2026-12
    C: await insertPerson(knex, { gender: '2', birthDate: '1971-07-01', unitCode: 'U003', bianzhiType: 'SY', post: '专业技术十级', name: '丙' }),
    // man 1966-01 → 60y4m → 2026-05: past, still 在编
    D: await insertPerson(knex, { gender: '1', birthDate: '1966-01-10', name: '丁' }),
    // woman50 工勤 1976-05 → 50y9m → 2027-02 (the last month of the horizon)
    E: await insertPerson(knex, { gender: '2', birthDate: '1976-05-03', unitCode: 'U003', bianzhiType: 'SY', post: '工勤技能四级', name: '戊' }),
  };
}

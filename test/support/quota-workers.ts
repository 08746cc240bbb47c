// Shared set-up of the establishment and person worker tests: the demo district on the test database, the
// real parameter store (built-in defaults seeded) and the real document service, a clock fixed on a day.
import type { Knex } from 'knex';
import { idNumberCheckDigit } from '../../domain/id-number';
import { createSilentLogger } from '../../server/core/logger';
import { seedDemo } from '../../server/demo/seed';
import { createDocumentService } from '../../server/services/documents';
import { createParameterStore } from '../../server/services/parameters';
import type { WorkerDeps } from '../../workers/registry';
import { getTestDatabase, resetDatabase } from './db';

export const TODAY = '2026-05-10';

export interface QuotaWorkerWorld {
  knex: Knex;
  deps: WorkerDeps;
  /** moves the clock (the day the handlers see) */
  setToday(day: string): void;
  unitId(code: string): Promise<string>;
}

/** Empties the test database (the parameter defaults come back with it) and seeds the demo district (plans of 2026). */
export async function quotaWorkerWorld(): Promise<QuotaWorkerWorld> {
  const { knex } = await getTestDatabase();
  await resetDatabase(knex);
  await seedDemo(knex, createSilentLogger(), { year: 2026 });
  let today = TODAY;
  const clock = () => new Date(`${today}T10:00:00+08:00`);
  const deps: WorkerDeps = {
    db: knex,
    clock,
    parameters: createParameterStore(knex, clock),
    documents: createDocumentService({ db: knex, districtCode: '370612', districtName: '示范区', signingSecret: 'test-signing-secret', clock }),
  };
  return {
    knex,
    deps,
    setToday: (day) => {
      today = day;
    },
    unitId: async (code) => ((await knex('units').where({ code }).first('id')) as { id: string }).id,
  };
}

/** A valid 18-digit ID number for a birth date (yyyy-mm-dd) and gender ('1' 男, '2' 女); `seq` varies it. */
export function idNumberFor(birthDate: string, gender: '1' | '2', seq = 1): string {
  const digits = `${String(seq % 50).padStart(2, '0')}${gender === '1' ? 1 : 2}`;
  const first17 = `110105${birthDate.replaceAll('-', '')}${digits}`;
  return first17 + idNumberCheckDigit(first17);
}

/** A clean new recruit (PersonInput) born on `birthDate`. */
export function newPerson(birthDate = '1998-03-15', gender: '1' | '2' = '1', seq = 1) {
  return {
    idNumber: idNumberFor(birthDate, gender, seq),
    name: '王小明',
    gender,
    birthDate,
    ethnicity: '汉族',
    politicalStatus: '01',
    education: '21',
    degree: '学士',
    graduationDate: '2020-07-01',
    workStartDate: '2020-08-01',
    post: '一级科员',
  };
}

export async function quotaRow(knex: Knex, unitId: string, bianzhiType: string): Promise<{ approved: number; actual: number; reserved: number }> {
  return knex('quotas').where({ unit_id: unitId, bianzhi_type: bianzhiType }).first('approved', 'actual', 'reserved');
}

export async function planUsed(knex: Knex, unitId: string, bianzhiType: string, year = 2026): Promise<number> {
  return ((await knex('annual_plans').where({ unit_id: unitId, bianzhi_type: bianzhiType, year }).first('used')) as { used: number }).used;
}

import type { Knex } from 'knex';
import type { Logger } from '../core/logger';
import { hashPassword } from '../core/passwords';
import { createUsersRepository } from '../repositories/users';
import { ensureReferenceData } from '../services/reference-data';
import { DEMO_PASSWORD, DEMO_STAFF, DEMO_UNITS, demoUnitClerks, unitRow, type DemoUserSpec } from './district';
import { DistrictMismatchError, generateDistrict, writeDistrict, type DistrictOptions } from './generator';
import { demoPersons } from './persons';

export interface SeededUser {
  username: string;
  displayName: string;
  roles: string[];
  departmentId: string | null;
  unitCode: string | null;
  /** a clerk of a generated unit (formatDemoUsers sums them up in one line) */
  generated?: true;
}

export interface SeedOptions {
  /** The year of the annual plans; default: this year. */
  year?: number;
  /**
   * A generated district (server/demo/generator.ts) after the six named units: units U007…, their persons and one
   * clerk `unit-<code>` each. Off by default (and with persons 0): the six named units only.
   */
  district?: Pick<DistrictOptions, 'persons' | 'units' | 'seed'>;
}

/**
 * Seeds the demo district and the demo users (password "demo", flagged is_demo so they cannot sign
 * in outside demo mode). Idempotent: rows that exist (by natural key) are left untouched, so running
 * workflows keep their changes. Returns every demo user, for main to print.
 */
export async function seedDemo(knex: Knex, log: Logger, options: SeedOptions = {}): Promise<SeededUser[]> {
  const year = options.year ?? new Date().getFullYear();
  const staff: DemoUserSpec[] = [...DEMO_STAFF, ...demoUnitClerks()];
  // The demo password is public, so the hash cost buys nothing here; keep seeding fast.
  const demoHashCost = 10;

  const generatedClerks: DemoUserSpec[] = [];

  const created = await knex.transaction(async (trx) => {
    await ensureReferenceData(trx);
    const unitIds = await seedUnits(trx, year);
    await seedPersons(trx, unitIds);
    if (options.district && options.district.persons > 0) {
      generatedClerks.push(...(await seedGeneratedDistrict(trx, log, { ...options.district, year }, unitIds)));
    }

    const users = createUsersRepository(trx);
    const all = [...staff, ...generatedClerks];
    const existing = await users.existingUsernames(all.map((u) => u.username));
    const missing = all.filter((u) => !existing.has(u.username));
    // one hash for all of them (the password is public): thousands of generated clerks stay quick to seed
    const passwordHash = missing.length > 0 ? await hashPassword(DEMO_PASSWORD, demoHashCost) : '';
    for (const spec of missing) {
      await users.insert({
        username: spec.username,
        displayName: spec.displayName,
        passwordHash,
        departmentId: spec.departmentId,
        unitId: spec.unitCode ? unitIds.get(spec.unitCode)! : null,
        isDemo: true,
        roles: spec.roles,
      });
    }
    return missing.length;
  });
  log.info({ usersCreated: created }, 'demo data seeded');

  const seeded = (spec: DemoUserSpec): SeededUser => ({
    username: spec.username,
    displayName: spec.displayName,
    roles: [...spec.roles],
    departmentId: spec.departmentId,
    unitCode: spec.unitCode ?? null,
  });
  return [...staff.map(seeded), ...generatedClerks.map((spec) => ({ ...seeded(spec), generated: true as const }))];
}

/**
 * The generated district after the named units (codes U007…), written in the seed's transaction. Idempotent like
 * the rest: units that exist are skipped with their persons (writeDistrict). A database seeded before with other
 * DEMO_PERSONS keeps its district: a warning, no generated clerks returned. Returns the clerks of the generated units.
 */
async function seedGeneratedDistrict(
  trx: Knex.Transaction,
  log: Logger,
  options: NonNullable<SeedOptions['district']> & { year: number },
  unitIds: Map<string, string>,
): Promise<DemoUserSpec[]> {
  const district = generateDistrict({ ...options, firstCodeNumber: DEMO_UNITS.length + 1 });
  try {
    const written = await writeDistrict(trx, district);
    if (written.unitsWritten > 0) log.info({ units: written.unitsWritten, persons: written.personsWritten }, 'demo district generated');
  } catch (error) {
    if (!(error instanceof DistrictMismatchError)) throw error;
    log.warn({ persons: options.persons }, 'the database holds a demo district generated with other options; kept as it is');
    return [];
  }
  const rows = (await trx('units').whereIn('code', district.units.map((u) => u.code)).select('id', 'code')) as Array<{ id: string; code: string }>;
  for (const row of rows) unitIds.set(row.code, row.id);
  return demoUnitClerks(district.units);
}

/** Units (parents first), quotas, leader posts, this year's plans. Returns unit code → id. */
async function seedUnits(trx: Knex.Transaction, year: number): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const ordered = [...DEMO_UNITS].sort((a, b) => Number(a.parentCode !== null) - Number(b.parentCode !== null));
  for (const unit of ordered) {
    await trx('units')
      .insert(unitRow(unit, unit.parentCode ? ids.get(unit.parentCode)! : null))
      .onConflict('code')
      .ignore();
    const row = (await trx('units').where({ code: unit.code }).first('id')) as { id: string };
    ids.set(unit.code, row.id);
  }

  for (const unit of DEMO_UNITS) {
    const unitId = ids.get(unit.code)!;
    for (const quota of unit.quotas) {
      await trx('quotas')
        .insert({ unit_id: unitId, bianzhi_type: quota.bianzhiType, approved: quota.approved, actual: quota.actual })
        .onConflict(['unit_id', 'bianzhi_type'])
        .ignore();
      await trx('annual_plans')
        .insert({ unit_id: unitId, bianzhi_type: quota.bianzhiType, year, planned: quota.planned, doc_no: `示编委〔${year}〕1号` })
        .onConflict(['unit_id', 'bianzhi_type', 'year'])
        .ignore();
    }
    for (const post of unit.leaderPosts) {
      await trx('leader_posts')
        .insert({ unit_id: unitId, level: post.level, kind: post.kind, approved: post.approved, actual: post.actual })
        .onConflict(['unit_id', 'level', 'kind'])
        .ignore();
    }
  }
  return ids;
}

/** One active person per counted slot (so 实有 matches the records) and two retirees. */
async function seedPersons(trx: Knex.Transaction, unitIds: Map<string, string>): Promise<void> {
  const slots = DEMO_UNITS.flatMap((unit) =>
    unit.quotas.map((q) => ({ unitCode: unit.code, bianzhiType: q.bianzhiType, actual: q.actual })),
  );
  const rows = demoPersons(slots).map((p) => ({
    id_number: p.idNumber,
    name: p.name,
    gender: p.gender,
    birth_date: p.birthDate,
    status: p.status,
    unit_id: p.unitCode ? unitIds.get(p.unitCode)! : null,
    bianzhi_type: p.bianzhiType,
    post: p.post,
    entered_on: p.enteredOn,
  }));
  await trx('persons').insert(rows).onConflict('id_number').ignore();
}

/** The table main prints at start in demo mode. */
export function formatDemoUsers(users: readonly SeededUser[]): string {
  const header = ['用户名 username', '角色 roles', '部门/单位 department/unit'];
  const generated = users.filter((u) => u.generated);
  const rows = users.filter((u) => !u.generated).map((u) => [u.username, u.roles.join(', '), u.unitCode ? `unit ${u.unitCode}` : (u.departmentId ?? '-')]);
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join('  ');
  const more =
    generated.length === 0
      ? []
      : [
          `另有生成单位的经办人 ${generated.length} 个 / plus ${generated.length} clerks of the generated units: ` +
            `${generated[0]!.username} … ${generated[generated.length - 1]!.username}`,
        ];
  return [
    '演示模式 / demo mode — 所有演示用户的密码均为 "demo" / every demo user\'s password is "demo"',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    ...more,
  ].join('\n');
}

/** Display width: CJK characters take two columns. */
function width(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

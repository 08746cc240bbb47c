import assert from 'node:assert/strict';
import supertest from 'supertest';
import { createSilentLogger } from '../../server/core/logger';
import { seedDemo, formatDemoUsers } from '../../server/demo/seed';
import { idNumberCheckDigit } from '../../domain/id-number';
import { createTestApp } from '../support/app';
import { getTestDatabase, resetDatabase } from '../support/db';

const log = createSilentLogger();

async function counts(knex: import('knex').Knex): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of ['departments', 'users', 'user_roles', 'units', 'quotas', 'leader_posts', 'annual_plans', 'persons']) {
    const row = await knex(table).count<{ n: string }>({ n: '*' }).first();
    result[table] = Number(row?.n);
  }
  return result;
}

describe('demo seed', function () {
  this.timeout(60_000);

  beforeEach(async () => {
    await resetDatabase((await getTestDatabase()).knex);
  });

  it('is idempotent: a second run adds nothing and changes nothing', async () => {
    const { knex } = await getTestDatabase();
    // given a seeded database where a workflow has since changed a quota
    const firstUsers = await seedDemo(knex, log, { year: 2026 });
    const afterFirst = await counts(knex);
    const u001 = await knex('units').where({ code: 'U001' }).first('id');
    await knex('quotas').where({ unit_id: u001.id, bianzhi_type: 'XZ' }).update({ reserved: 1 });
    // when seeded again
    const secondUsers = await seedDemo(knex, log, { year: 2026 });
    // then the row counts are the same and the change survived
    assert.deepEqual(await counts(knex), afterFirst);
    assert.deepEqual(secondUsers, firstUsers);
    const quota = await knex('quotas').where({ unit_id: u001.id, bianzhi_type: 'XZ' }).first('reserved');
    assert.equal(quota.reserved, 1);
  });

  it('creates every demo user of the README, and one clerk per unit', async () => {
    const { knex } = await getTestDatabase();
    const users = await seedDemo(knex, log, { year: 2026 });
    const names = users.map((u) => u.username);
    for (const name of ['bianban-clerk', 'bianban-leader', 'org-clerk', 'hrss-clerk', 'insurance-clerk', 'finance-clerk',
      'veterans-clerk', 'policy-editor', 'auditor', 'admin', 'worker']) {
      assert.ok(names.includes(name), `missing demo user ${name}`);
    }
    const units = await knex('units').orderBy('code').pluck('code');
    assert.ok(units.length >= 6);
    for (const code of units) assert.ok(names.includes(`unit-${code}`), `missing clerk of ${code}`);
    assert.match(formatDemoUsers(users), /demo/);
  });

  it('seeds a district with an over-quota, a key-managed and a frozen unit, and 机关 and 事业 of each funding form', async () => {
    const { knex } = await getTestDatabase();
    await seedDemo(knex, log, { year: 2026 });
    const over = await knex('quotas').whereRaw('actual > approved').count<{ n: string }>({ n: '*' }).first();
    assert.ok(Number(over?.n) >= 1, 'no over-quota unit');
    assert.ok(await knex('units').where({ key_managed: true }).first(), 'no key-managed unit');
    assert.ok(await knex('units').where({ frozen: true }).first(), 'no frozen unit');
    const natures = await knex('units').distinct('nature').pluck('nature');
    assert.ok(natures.includes('organ') && natures.includes('institution'));
    const forms = await knex('units').where({ nature: 'institution' }).distinct('funding_form').pluck('funding_form');
    assert.deepEqual(forms.sort(), ['full', 'partial', 'self']);
  });

  it('keeps 实有 equal to the active person records, each with a valid ID number', async () => {
    const { knex } = await getTestDatabase();
    await seedDemo(knex, log, { year: 2026 });
    const mismatches = await knex('quotas as q')
      .select('q.unit_id', 'q.bianzhi_type', 'q.actual')
      .select(knex.raw(`(select count(*)::int from persons p where p.unit_id = q.unit_id and p.bianzhi_type = q.bianzhi_type and p.status = 'active') as records`))
      .then((rows: Array<{ actual: number; records: number }>) => rows.filter((r) => r.actual !== r.records));
    assert.deepEqual(mismatches, []);
    const ids = await knex('persons').pluck('id_number');
    for (const id of ids) assert.equal(id.slice(17), idNumberCheckDigit(id.slice(0, 17)), id);
  });

  it('lets demo users log in with password "demo" in demo mode', async () => {
    const { knex } = await getTestDatabase();
    await seedDemo(knex, log, { year: 2026 });
    const { app } = await createTestApp();
    const res = await supertest(app).post('/api/session').send({ username: 'unit-U001', password: 'demo' });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.data.user.groups, ['unit:U001', 'supervisor:U001']);
  });
});

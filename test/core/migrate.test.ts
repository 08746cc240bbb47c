import assert from 'node:assert/strict';
import { migrateLatest, migrationStatus, rollbackAll } from '../../server/core/migrate';
import { getTestDatabase, openScratchDatabase, resetDatabase } from '../support/db';

async function tables(knex: import('knex').Knex): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: Array<{ tablename: string }> }>(
    `select tablename from pg_tables where schemaname = current_schema() order by tablename`,
  );
  return rows.map((r) => r.tablename).filter((t) => !t.startsWith('knex_'));
}

async function constraints(knex: import('knex').Knex, table: string): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: Array<{ conname: string }> }>(
    `select conname from pg_constraint where conrelid = ?::regclass order by conname`,
    [table],
  );
  return rows.map((r) => r.conname);
}

describe('migrations', function () {
  this.timeout(120_000);

  it('run latest → rollback all → latest, leaving the same schema and no tables after rollback', async () => {
    // given an empty database
    const db = await openScratchDatabase();
    try {
      // when migrated up
      const applied = await migrateLatest(db.knex);
      const schemaAfterFirst = await tables(db.knex);
      // then the platform tables exist
      for (const table of ['departments', 'roles', 'users', 'user_roles', 'sessions', 'login_failures', 'units',
        'quotas', 'leader_posts', 'annual_plans', 'persons', 'person_events', 'parameters', 'documents']) {
        assert.ok(schemaAfterFirst.includes(table), `missing table ${table}`);
      }
      assert.ok(applied.includes('20261124000100_create_departments_users'));

      // when rolled back completely
      const rolledBack = await rollbackAll(db.knex);
      // then nothing is left and nothing is applied
      assert.equal(rolledBack.length, applied.length);
      assert.deepEqual(await tables(db.knex), []);
      assert.deepEqual((await migrationStatus(db.knex)).applied, []);

      // when migrated again
      await migrateLatest(db.knex);
      // then the schema is the same as the first time
      assert.deepEqual(await tables(db.knex), schemaAfterFirst);
      assert.deepEqual((await migrationStatus(db.knex)).pending, []);
    } finally {
      await db.drop();
    }
  });
});

describe('schema', () => {
  it('use uuid keys from gen_random_uuid() and enforce the quota CHECK constraints', async () => {
    // given a migrated database
    const db = await getTestDatabase();
    await resetDatabase(db.knex);
    // when a unit is inserted without an id
    const [unit] = await db.knex('units')
      .insert({ code: 'T1', name: '测试单位', nature: 'organ', funding_form: 'full' })
      .returning(['id', 'created_at']);
    // then it gets a uuid and a timestamp
    assert.match(unit.id, /^[0-9a-f-]{36}$/);
    assert.ok(unit.created_at instanceof Date);
    // and a negative quota count is refused by a named CHECK constraint (SQLSTATE 23514)
    await assert.rejects(
      db.knex('quotas').insert({ unit_id: unit.id, bianzhi_type: 'XZ', approved: 1, reserved: -1 }),
      (error: { code?: string; constraint?: string }) =>
        error.code === '23514' && error.constraint === 'quotas_reserved_not_negative',
    );
    // and an unknown 编制类型 as well
    await assert.rejects(
      db.knex('quotas').insert({ unit_id: unit.id, bianzhi_type: 'XX', approved: 1 }),
      (error: { code?: string }) => error.code === '23514',
    );
    assert.ok((await constraints(db.knex, 'quotas')).includes('quotas_unit_id_bianzhi_type_unique'));
  });

  it('keep 一人一编: an ID number has one person record, and an active person has a unit', async () => {
    const db = await getTestDatabase();
    await resetDatabase(db.knex);
    const [unit] = await db.knex('units')
      .insert({ code: 'T1', name: '测试单位', nature: 'institution', funding_form: 'full' })
      .returning('id');
    const person = { id_number: '11010519491231002X', name: '张三', gender: '2', birth_date: '1949-12-31' };
    // given one active person
    await db.knex('persons').insert({ ...person, unit_id: unit.id, bianzhi_type: 'SY' });
    // when the same ID number is entered again
    // then 23505
    await assert.rejects(
      db.knex('persons').insert({ ...person, unit_id: unit.id, bianzhi_type: 'SY' }),
      (error: { code?: string }) => error.code === '23505',
    );
    // and an active person without a unit is refused
    await assert.rejects(
      db.knex('persons').insert({ ...person, id_number: '110105194912310038' }),
      (error: { constraint?: string }) => error.constraint === 'persons_active_has_slot',
    );
    // and DATE columns come back as yyyy-mm-dd strings, not shifted Dates
    const row = await db.knex('persons').first('birth_date');
    assert.equal(row.birth_date, '1949-12-31');
  });
});

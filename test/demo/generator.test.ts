import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { checkIdNumber } from '../../domain/id-number';
import { BIANZHI_TYPES, isBianzhiTypeValidFor, type BianzhiType, type UnitNature } from '../../domain/quota';
import { createSilentLogger } from '../../server/core/logger';
import { migrateLatest } from '../../server/core/migrate';
import { districtDigest, DistrictMismatchError, generateDistrict, writeDistrict } from '../../server/demo/generator';
import { formatDemoUsers, seedDemo } from '../../server/demo/seed';
import { getTestDatabase, openScratchDatabase, resetDatabase } from '../support/db';

const log = createSilentLogger();
const YEAR = 2026;
const options = { persons: 2000, seed: 1, year: YEAR };

const rows = async <T>(knex: Knex, sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T[]> =>
  ((await knex.raw(sql, bindings)) as { rows: T[] }).rows;

describe('demo district generator', function () {
  this.timeout(60_000);

  describe('determinism', () => {
    it('gives the same digest for the same seed and a different one for another seed', () => {
      // given two districts of the same options and one of another seed
      const a = districtDigest(generateDistrict(options));
      const b = districtDigest(generateDistrict(options));
      const c = districtDigest(generateDistrict({ ...options, seed: 2 }));
      // then
      assert.equal(a, b);
      assert.notEqual(a, c);
      assert.match(a, /^[0-9a-f]{64}$/);
    });

    it('refuses too few persons for the units', () => {
      assert.throws(() => generateDistrict({ persons: 100, units: 40 }), RangeError);
    });
  });

  describe('written into an empty database', () => {
    let db: Awaited<ReturnType<typeof openScratchDatabase>>;
    const district = generateDistrict(options);

    before(async () => {
      // given an empty, migrated database
      db = await openScratchDatabase();
      await migrateLatest(db.knex);
      // when the district of 2,000 persons is written (small chunks, to cross chunk boundaries)
      const result = await writeDistrict(db.knex, district, { chunkPersons: 500, batchRows: 300 });
      assert.equal(result.unitsWritten, district.units.length);
    });
    after(async () => db?.drop());

    it('has 40+ units: 机关, 事业 of every funding form and 参公, 事业 and 参公 under a 主管部门', async () => {
      const units = await rows<{ nature: UnitNature; funding_form: string; parent_code: string | null; parent_nature: string | null }>(
        db.knex,
        `select u.nature, u.funding_form, p.code as parent_code, p.nature as parent_nature from units u left join units p on p.id = u.parent_unit_id`,
      );
      assert.ok(units.length >= 40, `${units.length} units`);
      assert.deepEqual([...new Set(units.map((u) => u.nature))].sort(), ['institution', 'institution_cs', 'organ']);
      assert.deepEqual([...new Set(units.filter((u) => u.nature === 'institution').map((u) => u.funding_form))].sort(), ['full', 'partial', 'self']);
      for (const u of units.filter((x) => x.nature !== 'organ')) assert.equal(u.parent_nature, 'organ');
    });

    it('uses every 编制类型, each only in units of a nature that may hold it', async () => {
      const slots = await rows<{ bianzhi_type: BianzhiType; nature: UnitNature; persons: number }>(
        db.knex,
        `select q.bianzhi_type, u.nature, count(p.id)::int as persons from quotas q join units u on u.id = q.unit_id
           left join persons p on p.unit_id = q.unit_id and p.bianzhi_type = q.bianzhi_type and p.status = 'active'
          group by 1, 2`,
      );
      for (const type of BIANZHI_TYPES) assert.ok(slots.some((s) => s.bianzhi_type === type && s.persons > 0), `no persons of ${type}`);
      for (const s of slots) assert.ok(isBianzhiTypeValidFor(s.bianzhi_type, s.nature), `${s.bianzhi_type} in ${s.nature}`);
    });

    it('keeps quotas.actual equal to the active persons of each slot, and every active person in a slot', async () => {
      const mismatches = await rows(
        db.knex,
        `select q.unit_id, q.bianzhi_type, q.actual, (select count(*)::int from persons p where p.unit_id = q.unit_id and p.bianzhi_type = q.bianzhi_type and p.status = 'active') as records
           from quotas q where q.actual <> (select count(*) from persons p where p.unit_id = q.unit_id and p.bianzhi_type = q.bianzhi_type and p.status = 'active')`,
      );
      assert.deepEqual(mismatches, []);
      const [{ n }] = await rows<{ n: number }>(db.knex, `select count(*)::int as n from persons p where p.status = 'active' and not exists (select 1 from quotas q where q.unit_id = p.unit_id and q.bianzhi_type = p.bianzhi_type)`);
      assert.equal(n, 0);
      const [{ active }] = await rows<{ active: number }>(db.knex, `select count(*)::int as active from persons where status = 'active'`);
      assert.equal(active, 2000);
    });

    it('has units over quota, key-managed units with a reason, exactly one frozen unit with its 文号, and this year\'s plans', async () => {
      const [{ over }] = await rows<{ over: number }>(db.knex, `select count(distinct unit_id)::int as over from quotas where actual > approved`);
      assert.ok(over >= 1);
      const keyManaged = await db.knex('units').where({ key_managed: true }).select('key_managed_reason');
      assert.ok(keyManaged.length >= 1);
      for (const u of keyManaged) assert.ok(u.key_managed_reason);
      const frozen = await db.knex('units').where({ frozen: true }).select('frozen_doc_no', 'frozen_reason');
      assert.equal(frozen.length, 1);
      assert.match(frozen[0].frozen_doc_no, /〔2026〕\d+号$/);
      const [{ missing }] = await rows<{ missing: number }>(db.knex, `select count(*)::int as missing from quotas q where not exists (select 1 from annual_plans a where a.unit_id = q.unit_id and a.bianzhi_type = q.bianzhi_type and a.year = ?)`, [YEAR]);
      assert.equal(missing, 0);
      const [{ planned }] = await rows<{ planned: number }>(db.knex, `select sum(planned)::int as planned from annual_plans where year = ?`, [YEAR]);
      assert.ok(planned > 0);
    });

    it('gives every person a valid, unique ID number whose birth date and gender match the record', async () => {
      const persons = await rows<{ id_number: string; birth_date: string; gender: string }>(db.knex, `select id_number, to_char(birth_date, 'YYYY-MM-DD') as birth_date, gender from persons`);
      assert.equal(new Set(persons.map((p) => p.id_number)).size, persons.length);
      for (const p of persons) {
        const check = checkIdNumber(p.id_number, new Date(`${YEAR}-01-01`));
        assert.ok(check.valid, p.id_number);
        assert.equal(check.birthDate, p.birth_date);
        assert.equal(check.gender, p.gender);
        assert.equal(p.id_number.slice(0, 6), '370612');
      }
    });

    it('has a plausible age pyramid (22–59, mean 36–44, most 30–50) and a gender share of 40–65 % men', async () => {
      const [s] = await rows<{ min: number; max: number; mean: number; mid: number; men: number; n: number }>(
        db.knex,
        `select min(a)::int as min, max(a)::int as max, avg(a)::float8 as mean, count(*) filter (where a between 30 and 50)::int as mid,
                count(*) filter (where gender = '1')::int as men, count(*)::int as n
           from (select gender, extract(year from age(date '${YEAR}-01-01', birth_date))::int as a from persons where status = 'active') x`,
      );
      assert.ok(s!.min >= 22 && s!.max <= 59, `ages ${s!.min}–${s!.max}`);
      assert.ok(s!.mean >= 36 && s!.mean <= 44, `mean age ${s!.mean}`);
      assert.ok(s!.mid / s!.n > 0.5, `30–50: ${s!.mid} of ${s!.n}`);
      assert.ok(s!.men / s!.n >= 0.4 && s!.men / s!.n <= 0.65, `men ${s!.men} of ${s!.n}`);
      const [{ retired }] = await rows<{ retired: number }>(db.knex, `select count(*)::int as retired from persons where status = 'retired'`);
      assert.ok(retired >= 20, `${retired} retirees`);
    });

    it('fills 学历 with several GB/T 4658 groups, 学位 consistent with them, and posts that fit the 编制', async () => {
      const education = await rows<{ education: string; degree: string; n: number }>(db.knex, `select profile->>'education' as education, profile->>'degree' as degree, count(*)::int as n from persons where status = 'active' group by 1, 2`);
      const groups = new Set(education.map((e) => e.education));
      for (const code of ['14', '21', '31', '41']) assert.ok(groups.has(code), `no 学历 ${code}`);
      for (const e of education) {
        if (e.degree === 'doctor') assert.equal(e.education, '11');
        if (e.degree === 'master') assert.equal(e.education, '14');
        if (e.degree === 'bachelor') assert.equal(e.education, '21');
      }
      const posts = await rows<{ bianzhi_type: string; nature: string; post: string }>(db.knex, `select distinct p.bianzhi_type, u.nature, p.post from persons p join units u on u.id = p.unit_id where p.status = 'active'`);
      for (const p of posts) {
        const civilServant = /科员|乡科级/.test(p.post);
        if (p.bianzhi_type === 'GQ') assert.match(p.post, /技术工|普通工/);
        else if (p.bianzhi_type === 'SY' && p.nature === 'institution') assert.ok(!civilServant, `${p.post} in 事业编制`);
        else assert.ok(civilServant, `${p.post} in ${p.bianzhi_type} of ${p.nature}`);
      }
    });

    it('keeps 领导职数 实配 equal to the persons holding the post (profile.leaderPost), with vacancies and some 超配', async () => {
      const posts = await rows<{ approved: number; actual: number; holders: number }>(
        db.knex,
        `select lp.approved, lp.actual,
                (select count(*)::int from persons p where p.unit_id = lp.unit_id and p.status = 'active'
                   and p.profile->'leaderPost'->>'level' = lp.level and p.profile->'leaderPost'->>'kind' = lp.kind) as holders
           from leader_posts lp`,
      );
      assert.ok(posts.length >= 40);
      for (const p of posts) assert.equal(p.actual, p.holders);
      assert.ok(posts.some((p) => p.actual < p.approved), 'no vacancy');
      assert.ok(posts.some((p) => p.actual > p.approved), 'no 超配');
      const [{ orphans }] = await rows<{ orphans: number }>(
        db.knex,
        `select count(*)::int as orphans from persons p where p.profile->'leaderPost' is not null
            and not exists (select 1 from leader_posts lp where lp.unit_id = p.unit_id and lp.level = p.profile->'leaderPost'->>'level' and lp.kind = p.profile->'leaderPost'->>'kind')`,
      );
      assert.equal(orphans, 0);
    });

    it('adds nothing when written again, and refuses a district of other options on the same codes', async () => {
      // when written again
      const again = await writeDistrict(db.knex, district);
      // then every unit is skipped
      assert.deepEqual(again, { unitsWritten: 0, unitsSkipped: district.units.length, personsWritten: 0 });
      // and another seed's district is refused before anything is written
      await assert.rejects(writeDistrict(db.knex, generateDistrict({ ...options, seed: 7, persons: 3000 })), DistrictMismatchError);
      const [{ n }] = await rows<{ n: number }>(db.knex, `select count(*)::int as n from persons`);
      assert.equal(n, 2000 + district.retirees);
    });
  });

  describe('in the demo seed', () => {
    beforeEach(async () => {
      await resetDatabase((await getTestDatabase()).knex);
    });

    it('adds the generated units after U001–U006 with one clerk each, and a second run adds nothing', async () => {
      const { knex } = await getTestDatabase();
      // when seeded with a generated district of 300 persons (40 units)
      const users = await seedDemo(knex, log, { year: YEAR, district: { persons: 300, seed: 3 } });
      const codes = await knex('units').orderBy('code').pluck('code');
      // then the six named units come first, the generated ones follow from U007
      assert.deepEqual(codes.slice(0, 6), ['U001', 'U002', 'U003', 'U004', 'U005', 'U006']);
      assert.equal(codes.length, 46);
      assert.equal(codes[6], 'U007');
      assert.equal(codes[45], 'U046');
      const u001 = await knex('units').where({ code: 'U001' }).first('name');
      assert.equal(u001.name, '示范区人民政府办公室');
      const clerks = users.filter((u) => u.generated);
      assert.equal(clerks.length, 40);
      assert.ok(users.some((u) => u.username === 'unit-U046'));
      // and the printed table stays short: one line for the generated clerks
      const printed = formatDemoUsers(users);
      assert.ok(!printed.includes('unit-U020'));
      assert.match(printed, /40 clerks of the generated units: unit-U007 … unit-U046/);
      // when seeded again
      const count = async (table: string) => Number((await knex(table).count<{ n: string }[]>({ n: '*' }))[0]!.n);
      const before = { units: await count('units'), persons: await count('persons'), users: await count('users'), quotas: await count('quotas') };
      const again = await seedDemo(knex, log, { year: YEAR, district: { persons: 300, seed: 3 } });
      // then nothing was added, and the same users are returned
      assert.deepEqual({ units: await count('units'), persons: await count('persons'), users: await count('users'), quotas: await count('quotas') }, before);
      assert.deepEqual(again, users);
    });

    it('seeds the six named units only without the option', async () => {
      const { knex } = await getTestDatabase();
      const users = await seedDemo(knex, log, { year: YEAR });
      assert.deepEqual(await knex('units').orderBy('code').pluck('code'), ['U001', 'U002', 'U003', 'U004', 'U005', 'U006']);
      assert.ok(users.every((u) => !u.generated));
    });
  });
});

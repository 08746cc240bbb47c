import assert from 'node:assert/strict';
import { createHandler } from '../../workers/person.validate';
import type { PersonCheck } from '../../workers/variables';
import { fakeJob } from '../support/fake-job';
import { newPerson, quotaWorkerWorld, type QuotaWorkerWorld } from '../support/quota-workers';

describe('worker person.validate', function () {
  this.timeout(120_000);
  let world: QuotaWorkerWorld;
  let validate: ReturnType<typeof createHandler>;
  let unitId: string;

  beforeEach(async () => {
    world = await quotaWorkerWorld();
    validate = createHandler(world.deps);
    unitId = await world.unitId('U001');
  });

  it('completes with personCheck for a clean person', async () => {
    const outcome = await validate(fakeJob({ person: newPerson(), unitId, bianzhiType: 'XZ', entryMode: '考录' }));
    assert.equal(outcome.outcome, 'complete', JSON.stringify(outcome));
    const check = (outcome as unknown as { variables: { personCheck: PersonCheck } }).variables.personCheck;
    assert.deepEqual(check.errors, []);
    assert.deepEqual(check.warnings, []);
  });

  it('throws PERSON_INVALID listing the errors, with personCheck as variables', async () => {
    // given a name with a space and a gender that contradicts the ID number
    const person = { ...newPerson('1998-03-15', '1'), name: '王 小明', gender: '2' };
    // when
    const outcome = await validate(fakeJob({ person, unitId, bianzhiType: 'XZ' }));
    // then
    assert.equal(outcome.outcome, 'bpmnError');
    assert.equal((outcome as unknown as { code: string }).code, 'PERSON_INVALID');
    assert.match((outcome as unknown as { message: string }).message, /姓名中间不能有空格/);
    assert.match((outcome as unknown as { message: string }).message, /性别与公民身份号码不一致/);
    const check = (outcome as unknown as { variables: { personCheck: PersonCheck } }).variables.personCheck;
    assert.deepEqual(check.errors.map((e) => e.rule).sort(), ['7.1', '7.2']);
  });

  it('V7: an ID number already 在编 anywhere is an error when adding, not when adjusting', async () => {
    const active = await world.knex('persons').where({ status: 'active' }).first();
    const person = { ...newPerson(active.birth_date, active.gender), idNumber: active.id_number, name: active.name, post: active.post };
    const adding = await validate(fakeJob({ person, unitId: active.unit_id, bianzhiType: active.bianzhi_type, entryMode: '调入', previousBianzhiType: 'SY' }, { customHeaders: { mode: 'transfer-in' } }));
    assert.equal(adding.outcome, 'bpmnError');
    const check = (adding as unknown as { variables: { personCheck: PersonCheck } }).variables.personCheck;
    assert.ok(check.errors.some((e) => e.rule === 'V7'), JSON.stringify(check.errors));
    const adjusting = await validate(fakeJob({ person, unitId: active.unit_id, bianzhiType: active.bianzhi_type }, { customHeaders: { mode: 'adjust' } }));
    const adjustCheck = (adjusting as unknown as { variables: { personCheck: PersonCheck } }).variables.personCheck;
    assert.ok(!adjustCheck.errors.some((e) => e.rule === 'V7'));
  });

  it('V8 uses the unit from the database: 事业编制 in a 机关 is an error', async () => {
    const outcome = await validate(fakeJob({ person: { ...newPerson(), post: undefined }, unitId, bianzhiType: 'SY' }));
    const check = (outcome as unknown as { variables: { personCheck: PersonCheck } }).variables.personCheck;
    assert.deepEqual(check.errors.map((e) => `${e.rule}:${e.field}`), ['V8:bianzhiType']);
  });

  it('fails without retries without a person, for an unknown unit or mode', async () => {
    assert.equal((await validate(fakeJob({ unitId, bianzhiType: 'XZ' }))).outcome, 'fail');
    assert.equal((await validate(fakeJob({ person: newPerson(), unitId: '00000000-0000-4000-8000-000000000000', bianzhiType: 'XZ' }))).outcome, 'fail');
    const badMode = await validate(fakeJob({ person: newPerson(), unitId, bianzhiType: 'XZ' }, { customHeaders: { mode: 'nope' } }));
    assert.equal(badMode.outcome, 'fail');
    assert.equal((badMode as unknown as { retries: number }).retries, 0);
  });
});

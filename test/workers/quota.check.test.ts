import assert from 'node:assert/strict';
import type { JobOutcome } from '../../workers/job';
import { createHandler } from '../../workers/quota.check';
import type { QuotaCheckResult } from '../../workers/variables';
import { fakeJob } from '../support/fake-job';
import { quotaWorkerWorld, type QuotaWorkerWorld } from '../support/quota-workers';
import { completeVariables } from './support';

const checkOf = (outcome: JobOutcome) => completeVariables<{ quotaCheck: QuotaCheckResult }>(outcome).quotaCheck;
const codes = (check: QuotaCheckResult) => check.reasons.map((r) => r.code).sort();

describe('worker quota.check', function () {
  this.timeout(120_000);
  let world: QuotaWorkerWorld;
  let check: ReturnType<typeof createHandler>;

  beforeEach(async () => {
    world = await quotaWorkerWorld();
    check = createHandler(world.deps);
  });

  it('approves a unit with places and plan left, and shows the establishment figures', async () => {
    // given U001 XZ: approved 12, actual 9, plan 2
    const unitId = await world.unitId('U001');
    // when
    const result = checkOf(await check(fakeJob({ unitId, bianzhiType: 'XZ', requested: 1 })));
    // then
    assert.equal(result.decision, 'approve');
    assert.deepEqual(result.reasons, []);
    assert.deepEqual(result.establishment, { approved: 12, actual: 9, reserved: 0, available: 3, vacant: 3, over: 0 });
    assert.equal(result.planBalance, 2);
    assert.equal(result.unit?.name, '示范区人民政府办公室');
  });

  it('refuses an over-quota unit (超编单位不得新进人)', async () => {
    const result = checkOf(await check(fakeJob({ unitId: await world.unitId('U004'), bianzhiType: 'SY' })));
    assert.equal(result.decision, 'refuse');
    assert.ok(codes(result).includes('OVERSTAFFED'));
    assert.ok(codes(result).includes('QUOTA_EXCEEDED'));
    assert.equal(result.establishment.over, 2);
  });

  it('refuses a frozen unit and names the freeze document', async () => {
    const result = checkOf(await check(fakeJob({ unitId: await world.unitId('U006'), bianzhiType: 'SY' })));
    assert.equal(result.decision, 'refuse');
    const frozen = result.reasons.find((r) => r.code === 'UNIT_FROZEN');
    assert.ok(frozen, JSON.stringify(result.reasons));
    assert.match(frozen.message, /示编委〔2026〕3号/);
  });

  it('refuses when the annual plan is used up, and passes it with an 编委 ad-hoc approval', async () => {
    const unitId = await world.unitId('U001');
    const refused = checkOf(await check(fakeJob({ unitId, bianzhiType: 'XZ', requested: 3 })));
    assert.equal(refused.decision, 'refuse');
    assert.deepEqual(codes(refused), ['PLAN_EXHAUSTED']);
    const adHoc = checkOf(await check(fakeJob({ unitId, bianzhiType: 'XZ', requested: 3, planAdHocDocNo: '示编委〔2026〕9号' })));
    assert.equal(adHoc.decision, 'approve');
  });

  it('sends a key-managed unit to the 编办 leader with its reason', async () => {
    const result = checkOf(await check(fakeJob({ unitId: await world.unitId('U005'), bianzhiType: 'XZ' })));
    assert.equal(result.decision, 'leader-review', JSON.stringify(result.reasons));
    assert.deepEqual(codes(result), ['KEY_MANAGED']);
    assert.match(result.reasons[0]!.message, /机构改革\/撤并中/);
    assert.equal(result.unit?.keyManagedReason, '机构改革/撤并中');
  });

  it('refuses a 编制类型 the unit may not hold', async () => {
    const result = checkOf(await check(fakeJob({ unitId: await world.unitId('U003'), bianzhiType: 'XZ' })));
    assert.equal(result.decision, 'refuse');
    assert.ok(codes(result).includes('BIANZHI_TYPE_INVALID'));
  });

  it('placement mode: an over-quota placement goes to the leader when the parameter allows it', async () => {
    // given U004 is over quota and has no plan left; the placement carries its 安置计划 文号
    const unitId = await world.unitId('U004');
    const job = fakeJob({ unitId, bianzhiType: 'SY', planAdHocDocNo: '示军转〔2026〕1号' }, { customHeaders: { mode: 'placement' } });
    // when
    const result = checkOf(await check(job));
    // then
    assert.equal(result.decision, 'leader-review');
    assert.ok(codes(result).includes('PLACEMENT_OVERSTAFF'));
    // the same request in recruit mode is refused
    const recruit = checkOf(await check(fakeJob({ unitId, bianzhiType: 'SY', planAdHocDocNo: '示军转〔2026〕1号' })));
    assert.equal(recruit.decision, 'refuse');
  });

  it('transfer mode checks the target unit (targetUnitId) and the 进入形式', async () => {
    const from = await world.unitId('U003');
    const to = await world.unitId('U001');
    const ok = checkOf(
      await check(fakeJob({ unitId: from, targetUnitId: to, bianzhiType: 'XZ', entryMode: '转任', person: { previousBianzhiType: 'XZ' } }, { customHeaders: { mode: 'transfer' } })),
    );
    assert.equal(ok.decision, 'approve');
    assert.equal(ok.unit?.id, to);
    const wrongMode = checkOf(
      await check(fakeJob({ unitId: from, targetUnitId: to, bianzhiType: 'XZ', entryMode: '转任', person: { previousBianzhiType: 'SY' } }, { customHeaders: { mode: 'transfer' } })),
    );
    assert.equal(wrongMode.decision, 'refuse');
    assert.deepEqual(codes(wrongMode), ['ENTRY_MODE_INVALID']);
  });

  it('leader-post mode: blocks a 领导职务 without a vacant post, warns for a 职级', async () => {
    // U002 乡科级副职: approved 2, actual 2; U001 乡科级副职: approved 3, actual 2
    const u002 = await world.unitId('U002');
    const headers = { customHeaders: { mode: 'leader-post' } };
    const full = checkOf(await check(fakeJob({ unitId: u002, bianzhiType: 'XZ', leaderPost: { level: '乡科级', kind: 'deputy' } }, headers)));
    assert.equal(full.decision, 'refuse');
    assert.deepEqual(codes(full), ['LEADER_POSTS_EXCEEDED']);
    const rank = checkOf(await check(fakeJob({ unitId: u002, bianzhiType: 'XZ', leaderPost: { level: '乡科级', kind: 'deputy', rankOnly: true } }, headers)));
    assert.equal(rank.decision, 'approve');
    assert.equal(rank.warnings?.[0]?.code, 'LEADER_POSTS_EXCEEDED');
    const vacant = checkOf(await check(fakeJob({ unitId: await world.unitId('U001'), bianzhiType: 'XZ', leaderPost: { level: '乡科级', kind: 'deputy' } }, headers)));
    assert.equal(vacant.decision, 'approve');
    assert.deepEqual(vacant.leaderPosts, { level: '乡科级', kind: 'deputy', approved: 3, actual: 2, balance: 1 });
  });

  it('fails without retries for an unknown unit or invalid input', async () => {
    const unknown = await check(fakeJob({ unitId: '00000000-0000-4000-8000-000000000000', bianzhiType: 'XZ' }));
    assert.equal(unknown.outcome, 'fail');
    assert.equal((unknown as unknown as { retries: number }).retries, 0);
    const badCount = await check(fakeJob({ unitId: await world.unitId('U001'), bianzhiType: 'XZ', requested: -1 }));
    assert.equal(badCount.outcome, 'fail');
    const badType = await check(fakeJob({ unitId: await world.unitId('U001'), bianzhiType: 'QQ' }));
    assert.equal(badType.outcome, 'fail');
  });
});

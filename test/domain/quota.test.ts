import assert from 'node:assert/strict';
import { checkQuotaUse, DomainInputError, establishment, isBianzhiTypeValidFor, type QuotaUseRequest } from '../../domain/quota';

/** A 机关 with 行政编制 A=10, R=7, P=1: available 2; plan 5 left. */
const request = (over: Partial<QuotaUseRequest> = {}): QuotaUseRequest => ({
  unit: { nature: 'organ', frozen: false, keyManaged: false },
  counts: { approved: 10, actual: 7, reserved: 1 },
  plan: { remaining: 5 },
  requested: 2,
  bianzhiType: 'XZ',
  ...over,
});

const codes = (r: { reasons: { code: string }[] }) => r.reasons.map((reason) => reason.code);

describe('establishment counts (domain-spec §2.2)', () => {
  it('computes available = A − R − P − Vlead + F, 空编 = max(A − R, 0), 超编 = max(R − A, 0)', () => {
    // given A=20, R=15, P=2, Vlead=1, F=3
    const counts = { approved: 20, actual: 15, reserved: 2, leaderVacanciesHeld: 1, overflowAllowance: 3 };
    // when
    const q = establishment(counts);
    // then 20 − 15 − 2 − 1 + 3 = 5; 空编 5 (预占 does not reduce it); no 超编
    assert.deepEqual(q, { approved: 20, actual: 15, reserved: 2, available: 5, vacant: 5, over: 0 });
  });

  it('counts 预占 against available but not against 空编', () => {
    // given A=10, R=7, P=3
    // when
    const q = establishment({ approved: 10, actual: 7, reserved: 3 });
    // then
    assert.equal(q.available, 0);
    assert.equal(q.vacant, 3);
  });

  it('reports 超编 and a negative available for an over-staffed unit', () => {
    // given A=8, R=11, P=1
    // when
    const q = establishment({ approved: 8, actual: 11, reserved: 1 });
    // then 8 − 11 − 1 = −4
    assert.deepEqual(q, { approved: 8, actual: 11, reserved: 1, available: -4, vacant: 0, over: 3 });
  });

  it('defaults F and Vlead to 0', () => {
    // given / when
    const q = establishment({ approved: 5, actual: 5, reserved: 0 });
    // then
    assert.deepEqual([q.available, q.vacant, q.over], [0, 0, 0]);
  });

  it('throws DomainInputError naming the field for a negative or fractional count', () => {
    // given / when / then
    assert.throws(() => establishment({ approved: -1, actual: 0, reserved: 0 }), (e: unknown) => e instanceof DomainInputError && e.field === 'approved' && /负数/.test(e.message));
    assert.throws(() => establishment({ approved: 3, actual: 1.5, reserved: 0 }), (e: unknown) => e instanceof DomainInputError && e.field === 'actual');
  });
});

describe('用编许可 check list (domain-spec §2.3, §2.4)', () => {
  it('passes when every check passes, returning the establishment', () => {
    // given / when
    const result = checkQuotaUse(request());
    // then
    assert.equal(result.decision, 'pass');
    assert.deepEqual(result.reasons, []);
    assert.equal(result.establishment.available, 2);
  });

  it('passes when available exactly equals requested and refuses one more', () => {
    // given available 2
    // when
    const exact = checkQuotaUse(request({ requested: 2 }));
    const oneMore = checkQuotaUse(request({ requested: 3 }));
    // then
    assert.equal(exact.decision, 'pass');
    assert.equal(oneMore.decision, 'refuse');
    assert.deepEqual(codes(oneMore), ['QUOTA_EXCEEDED']);
    assert.match(oneMore.reasons[0]!.message, /可用编制 2/);
  });

  it('refuses when 预占 takes the last places', () => {
    // given A=10, R=7, P=3 → available 0
    // when
    const result = checkQuotaUse(request({ counts: { approved: 10, actual: 7, reserved: 3 }, requested: 1 }));
    // then
    assert.deepEqual(codes(result), ['QUOTA_EXCEEDED']);
  });

  it('refuses a frozen unit', () => {
    // given / when
    const result = checkQuotaUse(request({ unit: { nature: 'organ', frozen: true, keyManaged: false } }));
    // then
    assert.equal(result.decision, 'refuse');
    assert.deepEqual(codes(result), ['UNIT_FROZEN']);
    assert.match(result.reasons[0]!.message, /冻结/);
  });

  it('refuses a 编制类型 the unit may not hold: SY in a 机关, XZ in a 事业单位, GQ in a 参公事业单位', () => {
    // given / when / then
    assert.deepEqual(codes(checkQuotaUse(request({ bianzhiType: 'SY' }))), ['BIANZHI_TYPE_INVALID']);
    const institution = { nature: 'institution' as const, frozen: false, keyManaged: false };
    assert.deepEqual(codes(checkQuotaUse(request({ unit: institution, bianzhiType: 'XZ' }))), ['BIANZHI_TYPE_INVALID']);
    const cs = { nature: 'institution_cs' as const, frozen: false, keyManaged: false };
    assert.deepEqual(codes(checkQuotaUse(request({ unit: cs, bianzhiType: 'GQ' }))), ['BIANZHI_TYPE_INVALID']);
    assert.equal(checkQuotaUse(request({ unit: cs, bianzhiType: 'XZ' })).decision, 'pass');
    assert.equal(checkQuotaUse(request({ unit: institution, bianzhiType: 'SY' })).decision, 'pass');
  });

  it('follows the §2.1 validity matrix', () => {
    // given / when / then
    assert.equal(isBianzhiTypeValidFor('ZF', 'organ'), true);
    assert.equal(isBianzhiTypeValidFor('GQ', 'organ'), true);
    assert.equal(isBianzhiTypeValidFor('GQ', 'institution'), false);
    assert.equal(isBianzhiTypeValidFor('SY', 'institution_cs'), true);
  });

  it('refuses an over-staffed unit (R ≥ A) even when the overflow allowance leaves places', () => {
    // given A=10, R=10, P=0, F=2 → available 2
    // when
    const result = checkQuotaUse(request({ counts: { approved: 10, actual: 10, reserved: 0, overflowAllowance: 2 }, requested: 1 }));
    // then
    assert.equal(result.establishment.available, 2);
    assert.deepEqual(codes(result), ['OVERSTAFFED']);
  });

  it('refuses when the annual plan balance is short, unless an 编委 ad-hoc 文号 is attached', () => {
    // given plan remaining 1, requested 2
    // when
    const short = checkQuotaUse(request({ plan: { remaining: 1 } }));
    const exact = checkQuotaUse(request({ plan: { remaining: 2 } }));
    const adHoc = checkQuotaUse(request({ plan: { remaining: 0, adHocDocNo: '区编委〔2026〕3号' } }));
    // then
    assert.deepEqual(codes(short), ['PLAN_EXHAUSTED']);
    assert.equal(exact.decision, 'pass');
    assert.equal(adHoc.decision, 'pass');
  });

  it('refuses when the 领导职数 balance L − Lr − pending is short of the request', () => {
    // given L=3, Lr=2, pending=1 → balance 0
    // when
    const short = checkQuotaUse(request({ leaderPosts: { approved: 3, actual: 2, pending: 1, requested: 1 } }));
    const enough = checkQuotaUse(request({ leaderPosts: { approved: 3, actual: 2, requested: 1 } }));
    // then
    assert.deepEqual(codes(short), ['LEADER_POSTS_EXCEEDED']);
    assert.equal(enough.decision, 'pass');
  });

  it('sends a 重点管理单位 to the leader instead of passing it', () => {
    // given / when
    const result = checkQuotaUse(request({ unit: { nature: 'organ', frozen: false, keyManaged: true } }));
    // then
    assert.equal(result.decision, 'leader-review');
    assert.deepEqual(codes(result), ['KEY_MANAGED']);
  });

  it('refuses a 重点管理单位 that fails a check, and lists every failed check', () => {
    // given frozen, over-staffed, plan exhausted, key-managed
    const given = request({
      unit: { nature: 'organ', frozen: true, keyManaged: true },
      counts: { approved: 5, actual: 6, reserved: 0 },
      plan: { remaining: 0 },
    });
    // when
    const result = checkQuotaUse(given);
    // then
    assert.equal(result.decision, 'refuse');
    assert.deepEqual(codes(result), ['UNIT_FROZEN', 'OVERSTAFFED', 'QUOTA_EXCEEDED', 'PLAN_EXHAUSTED']);
  });

  it('throws DomainInputError for a non-positive request, an unknown 编制类型 or 机构性质', () => {
    // given / when / then
    assert.throws(() => checkQuotaUse(request({ requested: 0 })), (e: unknown) => e instanceof DomainInputError && e.field === 'requested');
    assert.throws(() => checkQuotaUse(request({ bianzhiType: 'QQ' as never })), (e: unknown) => e instanceof DomainInputError && e.field === 'bianzhiType');
    assert.throws(
      () => checkQuotaUse(request({ unit: { nature: 'club' as never, frozen: false, keyManaged: false } })),
      (e: unknown) => e instanceof DomainInputError && e.field === 'unit.nature',
    );
    assert.throws(() => checkQuotaUse(request({ plan: { remaining: Number.NaN } })), (e: unknown) => e instanceof DomainInputError && e.field === 'plan.remaining');
  });
});

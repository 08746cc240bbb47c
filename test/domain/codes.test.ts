import assert from 'node:assert/strict';
import { CODE_TABLES, codeName, educationGroup, isValidCode, lookupCode } from '../../domain/codes';
import { BIANZHI_TYPES, DomainInputError, UNIT_NATURES } from '../../domain/quota';

describe('code tables (domain-spec §7.3)', () => {
  it('looks up a code with its name and confidence tag', () => {
    // given / when
    const male = lookupCode('gender', '1');
    const member = lookupCode('politicalStatus', '01');
    const doctor = lookupCode('education', '11');
    // then
    assert.deepEqual(male, { code: '1', name: '男', tag: 'B' });
    assert.equal(member?.name, '中国共产党党员');
    assert.deepEqual(doctor, { code: '11', name: '博士毕业', tag: 'B', parent: '10' });
  });

  it('returns undefined and false for unknown codes, and codes are strings', () => {
    // given / when / then
    assert.equal(lookupCode('gender', '3'), undefined);
    assert.equal(isValidCode('politicalStatus', '14'), false);
    assert.equal(isValidCode('politicalStatus', 1), false);
    assert.equal(isValidCode('politicalStatus', '13'), true);
    assert.equal(isValidCode('education', '72'), false);
  });

  it('throws DomainInputError naming the field for an unknown code', () => {
    // given / when / then
    assert.equal(codeName('bianzhiType', 'ZF'), '政法专项编制');
    assert.throws(
      () => codeName('politicalStatus', '99', 'person.politicalStatus'),
      (e: unknown) => e instanceof DomainInputError && e.field === 'person.politicalStatus' && /政治面貌代码无效/.test(e.message),
    );
  });

  it('uses the codes the database stores for 编制类型, 机构性质, 经费形式 and 领导职数', () => {
    // given / when / then
    assert.deepEqual(CODE_TABLES.bianzhiType.entries.map((e) => e.code), [...BIANZHI_TYPES]);
    assert.deepEqual(CODE_TABLES.unitNature.entries.map((e) => e.code), [...UNIT_NATURES]);
    assert.deepEqual(CODE_TABLES.fundingForm.entries.map((e) => e.code), ['full', 'partial', 'self']);
    assert.deepEqual(CODE_TABLES.leaderPostKind.entries.map((e) => e.code), ['principal', 'deputy']);
    assert.equal(lookupCode('bianzhiType', 'LG')?.tag, 'C');
  });

  it('has unique codes in every table', () => {
    // given / when / then
    for (const table of Object.values(CODE_TABLES)) {
      assert.equal(new Set(table.entries.map((e) => e.code)).size, table.entries.length, table.id);
    }
  });

  it('groups 学历 codes for reporting: 11–13 / 14–19 / 21–28 / 31–33 / 41–49 / 61–63 / rest', () => {
    // given / when / then
    assert.equal(educationGroup('13'), '博士研究生');
    assert.equal(educationGroup('14'), '硕士研究生');
    assert.equal(educationGroup('19'), '硕士研究生');
    assert.equal(educationGroup('28'), '本科');
    assert.equal(educationGroup('31'), '大专');
    assert.equal(educationGroup('47'), '中专');
    assert.equal(educationGroup('61'), '高中');
    assert.equal(educationGroup('71'), '其他');
    assert.equal(educationGroup('90'), '其他');
    assert.throws(() => educationGroup('25'), DomainInputError);
  });
});

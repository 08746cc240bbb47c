import assert from 'node:assert/strict';
import { defaultRetirementParameters } from '../../domain/parameters/retirement';
import { recruitAgeMax } from '../../domain/parameters/person';
import { entryModeProblem, retirementCategoryFor, validatePerson, type PersonValidationInput } from '../../domain/person-validation';
import { idNumberFor, newPerson } from '../support/quota-workers';

const base = (person: Record<string, unknown>, over: Partial<PersonValidationInput> = {}): PersonValidationInput => ({
  person,
  mode: 'recruit',
  bianzhiType: 'XZ',
  unitNature: 'organ',
  entryMode: '考录',
  today: '2026-05-10',
  retirementRules: defaultRetirementParameters,
  recruitAgeMax: recruitAgeMax[0]!.value,
  nameLength: { min: 2, max: 20 },
  ...over,
});
const rules = (findings: Array<{ rule: string; field: string }>) => findings.map((f) => `${f.rule}:${f.field}`).sort();

describe('person validation (domain-spec §7)', () => {
  it('passes a clean recruit', () => {
    const result = validatePerson(base(newPerson()));
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.warnings, []);
    assert.ok(result.unchecked.some((u) => u.rule === 'V10'));
  });

  it('§7.1: a bad check digit, and birth date or gender that differ from the ID number', () => {
    const p = newPerson('1998-03-15', '1');
    assert.deepEqual(rules(validatePerson(base({ ...p, idNumber: `${p.idNumber.slice(0, 17)}${p.idNumber[17] === '0' ? '1' : '0'}` })).errors), ['7.1:idNumber']);
    assert.deepEqual(rules(validatePerson(base({ ...p, birthDate: '1998-03-16', gender: '2' })).errors), ['7.1:birthDate', '7.1:gender']);
    const archive = validatePerson(base({ ...p, archiveBirthDate: '1998-01-01' }));
    assert.deepEqual(rules(archive.warnings), ['7.1:archiveBirthDate']);
  });

  it('§7.2: names without spaces, of CJK and ·, within the length; 民族 in full', () => {
    const p = newPerson();
    assert.deepEqual(rules(validatePerson(base({ ...p, name: '王 小明' })).errors), ['7.2:name']);
    assert.deepEqual(rules(validatePerson(base({ ...p, name: ' 王小明' })).errors), ['7.2:name']);
    assert.deepEqual(rules(validatePerson(base({ ...p, name: 'Wang' })).errors), ['7.2:name']);
    assert.deepEqual(validatePerson(base({ ...p, name: 'Wang' + '小明', foreignNational: true })).errors, []);
    assert.deepEqual(validatePerson(base({ ...p, name: '阿依古丽·买买提' })).errors, []);
    assert.deepEqual(validatePerson(base({ ...p, name: '𠀀明' })).errors, [], 'a rare character (Ext-B) is a character');
    assert.deepEqual(rules(validatePerson(base({ ...p, name: '王' })).errors), ['7.2:name']);
    const ethnic = validatePerson(base({ ...p, ethnicity: '汉' }));
    assert.match(ethnic.errors[0]!.message, /汉族/);
    assert.deepEqual(rules(validatePerson(base({ ...p, politicalStatus: '党员' })).errors), ['7.2:politicalStatus']);
  });

  it('V1–V4: dates against the birth date and each other', () => {
    const p = newPerson('1998-03-15');
    assert.deepEqual(rules(validatePerson(base({ ...p, workStartDate: '2014-03-14', graduationDate: '2013-07-01' })).errors), ['V1:workStartDate']);
    assert.deepEqual(rules(validatePerson(base({ ...p, partyJoinDate: '2016-03-14', leagueJoinDate: '2012-03-14' })).errors), ['V2:leagueJoinDate', 'V2:partyJoinDate']);
    assert.deepEqual(rules(validatePerson(base({ ...p, partyJoinDate: '2016-03-15' })).errors), [], 'the 18th birthday itself is allowed');
    assert.deepEqual(rules(validatePerson(base({ ...p, workStartDate: '2019-08-01' })).warnings), ['V3:workStartDate']);
    assert.deepEqual(rules(validatePerson(base({ ...p, unitEntryDate: '2020-01-01', currentPostDate: '2020-07-01' })).errors), ['V4:currentPostDate', 'V4:unitEntryDate']);
  });

  it('V5: at or past the statutory retirement age is an error', () => {
    // a man born 1965-01-10 reaches 60y1m on 2025-02-10 (§5.1 table)
    const old = { ...newPerson('1965-01-10'), graduationDate: '1987-07-01', workStartDate: '1987-08-01' };
    assert.ok(rules(validatePerson(base(old, { mode: 'transfer-in', entryMode: '调入' , bianzhiType: 'SY', unitNature: 'institution', person: { ...old, previousBianzhiType: 'SY', post: undefined } })).errors).includes('V5:birthDate'));
    assert.deepEqual(rules(validatePerson(base(old, { mode: 'adjust' })).errors), [], 'adjust mode: the person is already 在编');
  });

  it('V6: the recruitment age ceiling per 编制类型 is a warning, higher for postgraduates', () => {
    const p = { ...newPerson('1986-01-01'), graduationDate: '2008-07-01', workStartDate: '2008-08-01' }; // 40 on 2026-05-10
    assert.deepEqual(rules(validatePerson(base(p)).warnings), ['V6:birthDate']);
    assert.deepEqual(validatePerson(base({ ...p, education: '14', degree: '硕士' })).warnings, []);
    assert.deepEqual(validatePerson(base(p, { mode: 'transfer-in' })).warnings, [], 'only Z1 recruitment has the ceiling');
  });

  it('V8: 编制类型 for the unit and 进入形式 against the old and new type', () => {
    assert.deepEqual(rules(validatePerson(base(newPerson(), { bianzhiType: 'SY' })).errors), ['V8:bianzhiType', 'V9:post']);
    assert.equal(entryModeProblem({ entryMode: '转任', previousBianzhiType: 'XZ', bianzhiType: 'XZ', unitNature: 'organ' }), undefined);
    assert.equal(entryModeProblem({ entryMode: '转任', previousBianzhiType: 'SY', previousCivilServantManaged: true, bianzhiType: 'XZ', unitNature: 'organ' }), undefined);
    assert.match(entryModeProblem({ entryMode: '转任', previousBianzhiType: 'SY', bianzhiType: 'XZ', unitNature: 'organ' })!, /转任/);
    assert.equal(entryModeProblem({ entryMode: '调任', previousBianzhiType: 'SY', bianzhiType: 'XZ', unitNature: 'organ' }), undefined);
    assert.equal(entryModeProblem({ entryMode: '调任', previousBianzhiType: 'none', bianzhiType: 'SY', unitNature: 'institution_cs' }), undefined);
    assert.match(entryModeProblem({ entryMode: '调任', previousBianzhiType: 'XZ', bianzhiType: 'XZ', unitNature: 'organ' })!, /调任/);
    assert.equal(entryModeProblem({ entryMode: '调入', previousBianzhiType: 'XZ', bianzhiType: 'SY', unitNature: 'institution' }), undefined);
    assert.match(entryModeProblem({ entryMode: '调入', previousBianzhiType: 'SY', bianzhiType: 'SY', unitNature: 'institution_cs' })!, /调入/);
    assert.match(entryModeProblem({ entryMode: '调入', previousBianzhiType: undefined, bianzhiType: 'SY', unitNature: 'institution' })!, /原编制类型/);
    assert.equal(entryModeProblem({ entryMode: '招聘', previousBianzhiType: undefined, bianzhiType: 'SY', unitNature: 'institution' }), undefined);
  });

  it('V9: 公务员 职级 only on 行政/政法/参公, 岗位等级 not on 行政', () => {
    assert.deepEqual(rules(validatePerson(base({ ...newPerson(), post: '专业技术十二级' })).errors), ['V9:post']);
    const sy = { ...newPerson(), post: '一级科员' };
    assert.deepEqual(rules(validatePerson(base(sy, { bianzhiType: 'SY', unitNature: 'institution' })).errors), ['V9:post']);
    assert.deepEqual(validatePerson(base(sy, { bianzhiType: 'SY', unitNature: 'institution_cs' })).errors, []);
    assert.ok(validatePerson(base({ ...newPerson(), post: '办公室文员' })).unchecked.some((u) => u.rule === 'V9'));
  });

  it('V11: 学位 needs the matching 学历 unless 同等学力', () => {
    const p = { ...newPerson(), education: '31', degree: '学士' };
    assert.deepEqual(rules(validatePerson(base(p)).warnings), ['V11:degree']);
    assert.deepEqual(validatePerson(base({ ...p, equivalentDegree: true })).warnings, []);
    assert.deepEqual(rules(validatePerson(base({ ...p, education: '14', degree: '博士' })).warnings), ['V11:degree']);
  });

  it('V12: dates yyyy-mm-dd, real, not in the future', () => {
    const p = newPerson();
    assert.deepEqual(rules(validatePerson(base({ ...p, graduationDate: '2020/07/01', workStartDate: '2027-01-01', partyJoinDate: '2020-02-30' })).errors), [
      'V12:graduationDate',
      'V12:partyJoinDate',
      'V12:workStartDate',
    ]);
  });

  it('picks the retirement category: man, woman50 for 工勤, woman55 otherwise', () => {
    assert.equal(retirementCategoryFor('1', 'XZ', '一级科员'), 'man');
    assert.equal(retirementCategoryFor('2', 'GQ', undefined), 'woman50');
    assert.equal(retirementCategoryFor('2', 'SY', '工勤技能四级'), 'woman50');
    assert.equal(retirementCategoryFor('2', 'SY', '专业技术十级'), 'woman55');
    assert.match(idNumberFor('1990-01-01', '2'), /^110105199001010\d[02468][\dX]$/);
  });
});

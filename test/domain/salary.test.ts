import assert from 'node:assert/strict';
import {
  addMonths,
  continuationSalary,
  educationGroupOf,
  monthlyBasicIn,
  newHireSalary,
  payOf,
  progressionSalary,
  promotionSalary,
  salarySystemOf,
} from '../../domain/salary';
import { civilServantLevelWages, defaultSalaryParameters, SALARY_PARAMETER_DEFAULTS, SALARY_PARAMETER_KEYS } from '../../domain/parameters/salary';
import { assertDefaultsLabelled, throwsOn } from './support';

const params = defaultSalaryParameters();
const amountsOf = (items: Array<{ code: string; amount: number }>) => Object.fromEntries(items.map((i) => [i.code, i.amount]));

describe('Salary (domain-spec §3)', () => {
  describe('parameters', () => {
    it('encodes the 2015 级别 table the spec gives: first 档 + (g − 1)·step, up to the max 档', () => {
      const rows = new Map(civilServantLevelWages[0]!.value.rows.map((r) => [r.level, r]));
      // given (§3.1 table): level → [1档, step, max 档, max amount]
      const given: Array<[number, number, number, number, number]> = [
        [27, 736, 40, 14, 1256], [26, 790, 45, 14, 1375], [25, 850, 50, 14, 1500], [24, 917, 56, 14, 1645], [22, 1075, 70, 14, 1985],
        [20, 1265, 87, 14, 2396], [18, 1488, 107, 14, 2879], [16, 1750, 130, 14, 3440], [14, 2055, 155, 14, 4070], [12, 2415, 183, 13, 4611], [10, 2841, 215, 11, 4991],
      ];
      for (const [level, first, step, maxGrade, maxAmount] of given) {
        const row = rows.get(level)!;
        assert.equal(row.status, 'B');
        assert.equal(row.amounts.length, maxGrade, `级别 ${level}`);
        assert.equal(row.amounts[0], first);
        assert.equal(row.amounts[1], first + step);
        assert.equal(row.amounts[maxGrade - 1], maxAmount, `级别 ${level} 最高档`);
      }
    });

    it('tags the interpolated levels C and leaves 级别 1–9 out, saying so in the source', () => {
      const table = civilServantLevelWages[0]!;
      const rows = new Map(table.value.rows.map((r) => [r.level, r]));
      for (const level of [23, 21, 19, 17, 15, 13, 11]) assert.equal(rows.get(level)?.status, 'C', `级别 ${level}`);
      // 23 between 24 (917, 56) and 22 (1075, 70): (917 + 1075)/2 = 996, (56 + 70)/2 = 63
      assert.deepEqual(rows.get(23)!.amounts.slice(0, 2), [996, 1059]);
      for (let level = 1; level <= 9; level++) assert.equal(rows.has(level), false);
      assert.match(table.source, /interpolated/);
      assert.match(table.source, /1–9 are missing/);
    });

    it('labels placeholders in version and source with status C, and every key of the bundle has a default', () => {
      assertDefaultsLabelled(SALARY_PARAMETER_DEFAULTS, SALARY_PARAMETER_KEYS);
    });
  });

  describe('classification', () => {
    it('pays XZ/ZF and 参公 SY as 公务员, other SY and GQ as 事业', () => {
      assert.equal(salarySystemOf('XZ'), 'civil-servant');
      assert.equal(salarySystemOf('ZF', 'organ'), 'civil-servant');
      assert.equal(salarySystemOf('SY', 'institution_cs'), 'civil-servant');
      assert.equal(salarySystemOf('SY', 'institution'), 'institution');
      assert.equal(salarySystemOf('GQ', 'organ'), 'institution');
      assert.throws(() => salarySystemOf('AB' as never), throwsOn('bianzhiType'));
    });

    it('groups 学历 codes (§7.3) for the 转正定级 tables', () => {
      assert.equal(educationGroupOf('11'), 'doctor');
      assert.equal(educationGroupOf('14', '硕士'), 'master');
      assert.equal(educationGroupOf('14', '学士'), 'postgraduate-class');
      assert.equal(educationGroupOf('17'), 'postgraduate-class');
      assert.equal(educationGroupOf('21'), 'bachelor');
      assert.equal(educationGroupOf('31'), 'college');
      assert.equal(educationGroupOf('41'), 'secondary');
      assert.equal(educationGroupOf('61'), 'secondary');
      assert.throws(() => educationGroupOf('71'), throwsOn('person.education'));
      assert.throws(() => educationGroupOf(undefined), throwsOn('person.education'));
    });
  });

  describe('new hires (§3.4)', () => {
    it('pays a 本科 公务员 the probation pay for 12 months, then 一级科员 25级2档 = 600 + 900', () => {
      // when
      const s = newHireSalary({ system: 'civil-servant', startMonth: '2026-03', education: '21' }, params);
      // then
      assert.equal(s.effectiveMonth, '2026-03');
      assert.deepEqual(s.items, [{ code: 'probation-pay', name: '试用期工资', amount: 1450 }]);
      assert.equal(s.monthlyBasic, 1450);
      assert.deepEqual(
        { from: s.probation!.fromMonth, to: s.probation!.toMonth, regrading: s.probation!.regradingMonth, months: s.probation!.months },
        { from: '2026-03', to: '2027-02', regrading: '2027-03', months: 12 },
      );
      const after = s.afterProbation!;
      assert.equal(after.effectiveMonth, '2027-03');
      assert.deepEqual(after.position, { system: 'civil-servant', post: '一级科员', postLayer: '科员', leadership: false, level: 25, grade: 2 });
      assert.deepEqual(amountsOf(after.items), { 'post-wage': 600, 'level-wage': 850 + 50 });
      assert.equal(after.monthlyBasic, 1500);
    });

    it('shows that the figure rests on a [C] placeholder', () => {
      const s = newHireSalary({ system: 'civil-servant', startMonth: '2026-03', education: '21' }, params);
      const probation = s.parameters.find((p) => p.key === 'salary.civil-servant.probation-pay')!;
      assert.equal(probation.status, 'C');
      assert.equal(probation.version, 'placeholder');
      assert.equal(s.lowestStatus, 'C');
      assert.ok(s.parameters.some((p) => p.key === 'salary.civil-servant.level-wage' && p.status === 'B'));
    });

    it('grades each 学历 row of §3.4 for 公务员', () => {
      const graded = (education: string, degree?: string) => newHireSalary({ system: 'civil-servant', startMonth: '2026-07', education, degree }, params).afterProbation!;
      // 高中/中专: 二级科员 27级1档 = 510 + 736
      assert.equal(graded('61').monthlyBasic, 510 + 736);
      // 大专: 一级科员 26级2档 = 600 + (790 + 45)
      assert.equal(graded('31').monthlyBasic, 600 + 835);
      // 硕士: 四级主任科员 24级3档 = 690 + (917 + 2·56)
      assert.equal(graded('14', '硕士').monthlyBasic, 690 + 1029);
      // 博士: 二级主任科员 22级1档 = 820 + 1075
      assert.equal(graded('11', '博士').monthlyBasic, 820 + 1075);
    });

    it('grades a 事业 本科 graduate after 见习 into 专技12级 薪级7 = 590 + 151', () => {
      const s = newHireSalary({ system: 'institution', startMonth: '2026-09', education: '21' }, params);
      assert.equal(s.probation!.name, '见习期');
      assert.deepEqual(s.items, [{ code: 'trainee-pay', name: '见习期工资', amount: 1350 }]);
      assert.equal(s.afterProbation!.effectiveMonth, '2027-09');
      assert.deepEqual(s.afterProbation!.position, { system: 'institution', track: 'professional', postLevel: '12', postName: '专业技术十二级', scale: 7 });
      assert.equal(s.afterProbation!.monthlyBasic, 590 + 151);
      // 硕士 专技11 薪级11 = 620 + 215; 博士 专技10 薪级14 = 680 + 273; 双学士 (no code: explicit group) 专技12 薪级8 = 590 + 165
      assert.equal(newHireSalary({ system: 'institution', startMonth: '2026-09', education: '14' }, params).afterProbation!.monthlyBasic, 835);
      assert.equal(newHireSalary({ system: 'institution', startMonth: '2026-09', education: '11' }, params).afterProbation!.monthlyBasic, 953);
      assert.equal(newHireSalary({ system: 'institution', startMonth: '2026-09', educationGroup: 'double-bachelor' }, params).afterProbation!.monthlyBasic, 755);
    });

    it('grades at once when there is no 见习期', () => {
      const s = newHireSalary({ system: 'institution', startMonth: '2026-09', education: '21', probation: false }, params);
      assert.equal(s.probation, null);
      assert.equal(s.monthlyBasic, 741);
      assert.equal(s.warnings.length, 1);
    });

    it('refuses a bad month or 学历, naming the field', () => {
      assert.throws(() => newHireSalary({ system: 'civil-servant', startMonth: '2026-13', education: '21' }, params), throwsOn('startMonth'));
      assert.throws(() => newHireSalary({ system: 'civil-servant', startMonth: '2026-03', education: '81' }, params), throwsOn('person.education'));
      assert.throws(() => newHireSalary({ system: 'civil-servant', startMonth: '2026-03', educationGroup: 'phd' as never }, params), throwsOn('educationGroup'));
      assert.throws(() => newHireSalary({ system: 'teacher' as never, startMonth: '2026-03', education: '21' }, params), throwsOn('system'));
    });
  });

  describe('continuation from a 工资介绍信 (Z2, §3.4)', () => {
    it('starts the month after 工资已发至 at the letter\'s 级别/档', () => {
      // given 三级主任科员 22级3档 (1075 + 2·70 = 1215), 工资已发至 2026-04
      const s = continuationSalary({ system: 'civil-servant', letter: { post: '三级主任科员', level: 22, grade: 3, paidThrough: '2026-04' } }, params);
      assert.equal(s.effectiveMonth, '2026-05');
      assert.deepEqual(amountsOf(s.items), { 'post-wage': 690, 'level-wage': 1215 });
      assert.equal(s.monthlyBasic, 1905);
      assert.deepEqual(s.warnings, []);
    });

    it('warns when the letter\'s own items add up to another total', () => {
      const s = continuationSalary(
        { system: 'civil-servant', letter: { post: '三级主任科员', level: 22, grade: 3, paidThrough: '2026-12', items: [{ name: '职务职级工资', amount: 690 }, { name: '级别工资', amount: 1145 }] } },
        params,
      );
      assert.equal(s.effectiveMonth, '2027-01');
      assert.match(s.warnings[0]!, /1835/);
    });

    it('continues a 事业 letter at 岗位/薪级: 管理八级 640 + 薪级10 197', () => {
      const s = continuationSalary({ system: 'institution', letter: { track: 'management', postLevel: 8, scale: 10, paidThrough: '2026-06' } }, params);
      assert.equal(s.effectiveMonth, '2026-07');
      assert.equal(s.monthlyBasic, 837);
      assert.equal((s.position as { postName: string }).postName, '管理八级');
    });

    it('marks a figure from an interpolated 级别 row as C', () => {
      // 三级主任科员 23级1档: interpolated 996
      const s = continuationSalary({ system: 'civil-servant', letter: { post: '三级主任科员', level: 23, grade: 1, paidThrough: '2026-04' } }, params);
      assert.equal(s.monthlyBasic, 690 + 996);
      const ref = s.parameters.find((p) => p.key === 'salary.civil-servant.level-wage')!;
      assert.equal(ref.status, 'C');
      assert.match(ref.note!, /interpolated/);
    });

    it('refuses a 级别 outside the 职级 range, a missing level row, a 档 past the max, naming the field', () => {
      const letter = (over: object) => ({ system: 'civil-servant' as const, letter: { post: '一级科员', level: 25, grade: 2, paidThrough: '2026-04', ...over } });
      assert.throws(() => continuationSalary(letter({ level: 27 }), params), throwsOn('salaryLetter.level'));
      assert.throws(() => continuationSalary(letter({ post: '一级巡视员', level: 9 }), params), (e: unknown) => throwsOn('salaryLetter.level')(e) && /未录入/.test((e as Error).message));
      assert.throws(() => continuationSalary(letter({ post: '一级调研员', level: 12, grade: 14 }), params), throwsOn('salaryLetter.grade'));
      assert.throws(() => continuationSalary(letter({ post: '科长' }), params), throwsOn('salaryLetter.post'));
      assert.throws(() => continuationSalary(letter({ paidThrough: '2026/04' }), params), throwsOn('salaryLetter.paidThrough'));
      assert.throws(() => continuationSalary({ system: 'institution', letter: { track: 'professional', postLevel: 12, scale: 30, paidThrough: '2026-04' } }, params), throwsOn('salaryLetter.scale'));
      assert.throws(() => continuationSalary({ system: 'institution', letter: { track: 'professional', postLevel: 14, scale: 3, paidThrough: '2026-04' } }, params), throwsOn('salaryLetter.postLevel'));
    });
  });

  describe('promotion and progression (§3.3)', () => {
    it('raises a 级别 below the new post\'s minimum and re-slots 就近就高', () => {
      // given 一级科员 25级2档 (900) promoted to 四级主任科员 (24–18)
      const s = promotionSalary({ system: 'civil-servant', current: { post: '一级科员', level: 25, grade: 2 }, target: { post: '四级主任科员' }, effectiveMonth: '2026-05' }, params);
      // then 24级: the smallest 档 ≥ 900 is 1档 (917)
      assert.deepEqual(s.position, { system: 'civil-servant', post: '四级主任科员', postLayer: '乡科级副职', leadership: false, level: 24, grade: 1 });
      assert.deepEqual(amountsOf(s.items), { 'post-wage': 690, 'level-wage': 917 });
      assert.equal(s.before!.monthlyBasic, 1500);
      assert.equal(s.increase, 1607 - 1500);
      assert.equal(s.effectiveMonth, '2026-05');
    });

    it('re-slots to a higher 档 when the 1档 of the new level is lower', () => {
      // 一级科员 26级9档 = 790 + 8·45 = 1150 → 二级主任科员 (22–16): 22级 ≥ 1150: 1075, 1145, 1215 → 3档
      const s = promotionSalary({ system: 'civil-servant', current: { post: '一级科员', level: 26, grade: 9 }, target: { post: '二级主任科员' }, effectiveMonth: '2026-05' }, params);
      assert.equal((s.position as { level: number }).level, 22);
      assert.equal((s.position as { grade: number }).grade, 3);
    });

    it('keeps a 级别 already inside the range of a leadership post', () => {
      // 一级主任科员 20级3档 (1265 + 2·87 = 1439) → 县处级副职 (20–14), leadership wage 1080
      const s = promotionSalary({ system: 'civil-servant', current: { post: '一级主任科员', level: 20, grade: 3 }, target: { post: '县处级副职' }, effectiveMonth: '2026-05' }, params);
      assert.deepEqual(amountsOf(s.items), { 'post-wage': 1080, 'level-wage': 1439 });
      assert.equal(s.increase, 1080 - 820);
      assert.equal((s.position as { leadership: boolean }).leadership, true);
    });

    it('promotes a 事业 post and keeps the 薪级', () => {
      const s = promotionSalary({ system: 'institution', current: { track: 'professional', postLevel: 12, scale: 9 }, target: { postLevel: 10 }, effectiveMonth: '2026-05' }, params);
      assert.equal(s.monthlyBasic, 680 + 181);
      assert.equal(s.increase, 680 - 590);
    });

    it('adds a 档 after two 称职 years, from 1 January of the next year', () => {
      const s = progressionSalary({ system: 'civil-servant', current: { post: '一级科员', level: 25, grade: 2 }, kind: 'grade', qualifiedYears: 2, assessedYear: 2025 }, params);
      assert.equal(s.effectiveMonth, '2026-01');
      assert.equal((s.position as { grade: number }).grade, 3);
      assert.equal(s.increase, 50);
    });

    it('adds a 级别 after five years within the range, re-slotting 就近就高', () => {
      const s = progressionSalary({ system: 'civil-servant', current: { post: '一级科员', level: 25, grade: 2 }, kind: 'level', qualifiedYears: 5, assessedYear: 2025 }, params);
      assert.deepEqual([(s.position as { level: number }).level, (s.position as { grade: number }).grade], [24, 1]);
      assert.equal(s.monthlyBasic, 600 + 917);
    });

    it('adds a 薪级 a year (事业)', () => {
      const s = progressionSalary({ system: 'institution', current: { track: 'professional', postLevel: 12, scale: 7 }, kind: 'scale', qualifiedYears: 1, assessedYear: 2025 }, params);
      assert.equal(s.monthlyBasic, 590 + 165);
    });

    it('refuses too few years, a top 级别 or 档, and a wrong kind, naming the field', () => {
      const base = { system: 'civil-servant' as const, assessedYear: 2025 };
      assert.throws(() => progressionSalary({ ...base, current: { post: '一级科员', level: 25, grade: 2 }, kind: 'grade', qualifiedYears: 1 }, params), throwsOn('progression.qualifiedYears'));
      assert.throws(() => progressionSalary({ ...base, current: { post: '一级科员', level: 18, grade: 2 }, kind: 'level', qualifiedYears: 5 }, params), throwsOn('progression.current.level'));
      assert.throws(() => progressionSalary({ ...base, current: { post: '一级科员', level: 25, grade: 14 }, kind: 'grade', qualifiedYears: 2 }, params), throwsOn('progression.current.grade'));
      assert.throws(() => progressionSalary({ ...base, current: { post: '一级科员', level: 25, grade: 2 }, kind: 'scale', qualifiedYears: 2 }, params), throwsOn('progression.kind'));
      assert.throws(() => promotionSalary({ system: 'civil-servant', current: { post: '一级科员', level: 25, grade: 2 }, target: { post: '厅局级正职' }, effectiveMonth: '2026-05' }, params), throwsOn('promotion.target.post'));
    });
  });

  describe('helpers', () => {
    it('adds months across years and reads the pay of a month', () => {
      assert.equal(addMonths('2026-11', 3), '2027-02');
      assert.equal(addMonths('2026-01', -1), '2025-12');
      const s = newHireSalary({ system: 'civil-servant', startMonth: '2026-03', education: '21' }, params);
      assert.equal(monthlyBasicIn(s, '2027-02'), 1450);
      assert.equal(monthlyBasicIn(s, '2027-03'), 1500);
      assert.equal(payOf('civil-servant', { post: '二级科员', level: 27, grade: 1 }, params).monthlyBasic, 1246);
    });
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateAgainstForm, type FormSchema } from '../../server/services/form-validation';

const form = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/inbox.person.form', import.meta.url)), 'utf8')) as FormSchema;
const now = new Date('2026-11-24T08:00:00Z');
const person = { personName: '张三', idNumber: '11010519491231002X' };
const check = (variables: Record<string, unknown>, context: Record<string, unknown> = {}) => validateAgainstForm(form, variables, { now, context });
const codes = (variables: Record<string, unknown>, context?: Record<string, unknown>) => check(variables, context).map((e) => [e.field, e.code]);

describe('form validation (form-js schemas)', () => {
  it('accepts a complete, valid submission', () => {
    assert.deepEqual(check({ ...person, birthDate: '1949-12-31', salary: 5200, docNo: 'BB-2026', email: 'a@b.cn', gender: '2', reportDate: '2027-01-04' }), []);
  });

  it('names each missing required field once, with a zh-CN message and a stable code', () => {
    assert.deepEqual(check({}), [
      { field: '/personName', code: 'REQUIRED', message: '姓名为必填项' },
      { field: '/idNumber', code: 'REQUIRED', message: '身份证号码为必填项' },
    ]);
  });

  it('refuses keys the form does not have, at any level', () => {
    assert.deepEqual(codes({ ...person, quota: 3, text: 'x' }), [['/quota', 'UNKNOWN_FIELD'], ['/text', 'UNKNOWN_FIELD']]);
  });

  it('checks the ID number by GB 11643 (check digit, birth date)', () => {
    assert.deepEqual(check({ ...person, idNumber: '110105194912310021' }), [{ field: '/idNumber', code: 'ID_NUMBER', message: '身份证号码校验位不正确' }]);
    assert.deepEqual(codes({ ...person, idNumber: '1101051949' }), [['/idNumber', 'ID_NUMBER']]);
  });

  it('checks a person name (§7.2): no spaces, 2–20 characters', () => {
    assert.deepEqual(codes({ ...person, personName: '张 三' }), [['/personName', 'PERSON_NAME']]);
    assert.deepEqual(codes({ ...person, personName: '阿依古丽·买买提' }), []);
  });

  it('checks dates: a real date, and not after today unless the field is a planned date', () => {
    assert.deepEqual(codes({ ...person, birthDate: '2026-02-29' }), [['/birthDate', 'DATE']]);
    assert.deepEqual(codes({ ...person, birthDate: '2027-01-01' }), [['/birthDate', 'FUTURE_DATE']]);
    assert.deepEqual(codes({ ...person, reportDate: '2027-01-01' }), []);
  });

  it('checks type, range, pattern, e-mail and options', () => {
    assert.deepEqual(codes({ ...person, salary: '5200' }), [['/salary', 'TYPE']]);
    assert.deepEqual(codes({ ...person, salary: -1 }), [['/salary', 'MIN']]);
    assert.deepEqual(codes({ ...person, salary: 100001 }), [['/salary', 'MAX']]);
    assert.deepEqual(codes({ ...person, docNo: 'bb-2026' }), [['/docNo', 'PATTERN']]);
    assert.deepEqual(codes({ ...person, email: 'not-an-address' }), [['/email', 'EMAIL']]);
    assert.deepEqual(codes({ ...person, gender: '3' }), [['/gender', 'OPTION']]);
  });

  describe('fields hidden by conditional.hide (FEEL on the task variables and the submission)', () => {
    it('refuses a value for a hidden field', () => {
      assert.deepEqual(check({ ...person, spouseName: '李四' }), [{ field: '/spouseName', code: 'HIDDEN_FIELD', message: '配偶姓名当前不显示，不能提交' }]);
    });

    it('requires the field once the submission shows it', () => {
      assert.deepEqual(codes({ ...person, hasSpouse: true }), [['/spouseName', 'REQUIRED']]);
      assert.deepEqual(codes({ ...person, hasSpouse: true, spouseName: '李四' }), []);
    });

    it('hides a whole group, and shows it when the task\'s variables say so', () => {
      assert.deepEqual(codes({ ...person, formerUnit: '某单位' }), [['/formerUnit', 'HIDDEN_FIELD']]);
      assert.deepEqual(codes({ ...person }, { transferIn: true }), [['/formerUnit', 'REQUIRED']]);
      assert.deepEqual(codes({ ...person, formerUnit: '某单位' }, { transferIn: true }), []);
    });
  });

  it('validates nested groups with a path and dynamic lists item by item', () => {
    const nested: FormSchema = {
      components: [
        { type: 'group', path: 'spouse', components: [{ type: 'textfield', key: 'idNumber', label: '配偶身份证号码', validate: { required: true } }] },
        { type: 'dynamiclist', path: 'children', components: [{ type: 'textfield', key: 'personName', label: '子女姓名', validate: { required: true } }] },
      ],
    };
    const errors = validateAgainstForm(nested, { spouse: { idNumber: '110105194912310021' }, children: [{ personName: '张小' }, {}, { personName: '张 小', age: 3 }] }, { now });
    assert.deepEqual(errors.map((e) => [e.field, e.code]), [
      ['/spouse/idNumber', 'ID_NUMBER'],
      ['/children/1/personName', 'REQUIRED'],
      ['/children/2/age', 'UNKNOWN_FIELD'],
      ['/children/2/personName', 'PERSON_NAME'],
    ]);
  });

  it('never throws on a malformed pattern or condition in a deployed form', () => {
    const broken: FormSchema = { components: [{ type: 'textfield', key: 'a', validate: { pattern: '([' } }, { type: 'textfield', key: 'b', conditional: { hide: '=((' } }] };
    assert.deepEqual(validateAgainstForm(broken, { a: 'x', b: 'y' }, { now }).map((e) => [e.field, e.code]), [['/a', 'PATTERN']]);
  });
});

// Checks submitted task variables against the task's form-js schema, as form-js itself would and
// more: only the form's fields; no field the form hides at the moment (`conditional.hide`, FEEL,
// evaluated on the task's variables with the submitted ones on top); required fields present; values
// of the field's type and options; pattern, length and range; and the domain rules — 身份证号码
// (GB 11643, domain-spec §7.1), 姓名 (§7.2) and dates (§7.4 V12: no date after today unless the
// field is a planned date). One error per field, zh-CN, with a stable code.
import { checkIdNumber, isoDate, isRealDate, type IdNumberProblem } from '../../domain/id-number';
import type { FieldError } from '../core/errors';
import { evaluateExpression } from '../engine/feel';

export type FormErrorCode =
  | 'UNKNOWN_FIELD'
  | 'HIDDEN_FIELD'
  | 'REQUIRED'
  | 'TYPE'
  | 'OPTION'
  | 'PATTERN'
  | 'MIN_LENGTH'
  | 'MAX_LENGTH'
  | 'MIN'
  | 'MAX'
  | 'EMAIL'
  | 'PHONE'
  | 'DATE'
  | 'TIME'
  | 'DATETIME'
  | 'FUTURE_DATE'
  | 'ID_NUMBER'
  | 'PERSON_NAME';

export interface FormFieldError extends FieldError {
  code: FormErrorCode;
}

export interface FormComponent {
  type?: string;
  key?: string;
  path?: string;
  label?: string;
  subtype?: string;
  components?: FormComponent[];
  values?: { value: unknown; label?: string }[];
  valuesKey?: string;
  serializeToString?: boolean;
  disabled?: boolean;
  conditional?: { hide?: string };
  properties?: Record<string, unknown>;
  validate?: {
    required?: boolean;
    pattern?: string;
    minLength?: number;
    maxLength?: number;
    min?: number;
    max?: number;
    validationType?: string;
  };
}

export interface FormSchema {
  components?: FormComponent[];
}

export interface ValidateOptions {
  /** The task's variables (instance + local): the context of `conditional.hide` and dynamic options. */
  context?: Record<string, unknown>;
  /** "Today" for dates and ID numbers. */
  now?: Date;
}

/** Components that hold no value of their own. */
const DISPLAY_ONLY = new Set(['text', 'button', 'separator', 'spacer', 'image', 'html', 'iframe', 'table', 'documentPreview']);
/** Containers: their children's keys sit at the container's level, or under its `path`. */
const CONTAINERS = new Set(['group', 'dynamiclist']);

const isEmpty = (value: unknown) => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/** The form's errors for `variables`; empty when the submission is acceptable. */
export function validateAgainstForm(schema: FormSchema, variables: Record<string, unknown>, options: ValidateOptions = {}): FormFieldError[] {
  const now = options.now ?? new Date();
  const errors = new Map<string, FormFieldError>();
  const fail = (field: string, code: FormErrorCode, message: string) => {
    if (!errors.has(field)) errors.set(field, { field, code, message });
  };
  validateLevel(schema.components ?? [], variables, '', { ...(options.context ?? {}), ...variables }, now, fail);
  return [...errors.values()];
}

type Fail = (field: string, code: FormErrorCode, message: string) => void;

/** The components whose values sit at this level: children of path-less groups are lifted up. */
function levelFields(components: readonly FormComponent[]): FormComponent[] {
  return components.flatMap((c) => {
    if (c.type === 'group' && !c.path) return levelFields(c.components ?? []).map((child) => withHiddenParent(child, c));
    if (CONTAINERS.has(c.type ?? '') && c.path) return [c];
    return c.key && !DISPLAY_ONLY.has(c.type ?? '') ? [c] : [];
  });
}

/** A child of a hidden group is hidden too: carry the group's condition along. */
function withHiddenParent(child: FormComponent, group: FormComponent): FormComponent {
  const parent = group.conditional?.hide;
  if (!parent) return child;
  const own = child.conditional?.hide;
  return { ...child, conditional: { hide: own ? `=(${stripEq(parent)}) = true or (${stripEq(own)}) = true` : parent } };
}

const stripEq = (expression: string) => expression.trimStart().replace(/^=/, '');

function isHidden(component: FormComponent, context: Record<string, unknown>): boolean {
  const hide = component.conditional?.hide;
  if (!hide) return false;
  try {
    return evaluateExpression(hide.trimStart().startsWith('=') ? hide : `=${hide}`, context) === true;
  } catch {
    return false; // form-js shows a field whose condition cannot be evaluated
  }
}

function validateLevel(components: readonly FormComponent[], values: Record<string, unknown>, prefix: string, context: Record<string, unknown>, now: Date, fail: Fail): void {
  const fields = levelFields(components);
  const known = new Set(fields.map((f) => (CONTAINERS.has(f.type ?? '') && f.path ? f.path : f.key!)));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) fail(`${prefix}/${key}`, 'UNKNOWN_FIELD', '表单中没有此字段');
  }
  for (const field of fields) {
    const key = CONTAINERS.has(field.type ?? '') && field.path ? field.path : field.key!;
    const pointer = `${prefix}/${key}`;
    const label = field.label ?? key;
    const value = values[key];
    if (isHidden(field, context)) {
      if (value !== undefined) fail(pointer, 'HIDDEN_FIELD', `${label}当前不显示，不能提交`);
      continue;
    }
    if (field.type === 'group') {
      if (value === undefined) continue;
      if (!isPlainObject(value)) fail(pointer, 'TYPE', `${label}应为对象`);
      else validateLevel(field.components ?? [], value, pointer, { ...context, ...value }, now, fail);
      continue;
    }
    if (field.type === 'dynamiclist') {
      if (value === undefined) continue;
      if (!Array.isArray(value) || !value.every(isPlainObject)) fail(pointer, 'TYPE', `${label}应为列表`);
      else value.forEach((item, i) => validateLevel(field.components ?? [], item, `${pointer}/${i}`, { ...context, ...item }, now, fail));
      continue;
    }
    const rules = field.validate ?? {};
    if (isEmpty(value)) {
      if (rules.required && !field.disabled) fail(pointer, 'REQUIRED', `${label}为必填项`);
      continue;
    }
    const problem = checkValue(field, value, label, context, now);
    if (problem) fail(pointer, problem.code, problem.message);
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

type Problem = { code: FormErrorCode; message: string } | null;

function checkValue(field: FormComponent, value: unknown, label: string, context: Record<string, unknown>, now: Date): Problem {
  const typeProblem = checkType(field, value, label, context);
  if (typeProblem) return typeProblem;
  const rules = field.validate ?? {};
  if (typeof value === 'string') {
    const length = [...value].length;
    if (rules.minLength !== undefined && length < rules.minLength) return { code: 'MIN_LENGTH', message: `${label}不能少于 ${rules.minLength} 个字符` };
    if (rules.maxLength !== undefined && length > rules.maxLength) return { code: 'MAX_LENGTH', message: `${label}不能超过 ${rules.maxLength} 个字符` };
    if (rules.pattern && !matchesPattern(rules.pattern, value)) return { code: 'PATTERN', message: `${label}格式不正确` };
    if (rules.validationType === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return { code: 'EMAIL', message: `${label}应为有效的电子邮箱地址` };
    if (rules.validationType === 'phone' && !/^\+?[\d\s()-]{5,20}$/.test(value)) return { code: 'PHONE', message: `${label}应为有效的电话号码` };
  }
  const number = typeof value === 'number' ? value : field.type === 'number' && typeof value === 'string' ? Number(value) : undefined;
  if (number !== undefined) {
    if (rules.min !== undefined && number < rules.min) return { code: 'MIN', message: `${label}不能小于 ${rules.min}` };
    if (rules.max !== undefined && number > rules.max) return { code: 'MAX', message: `${label}不能大于 ${rules.max}` };
  }
  return checkDomain(field, value, label, now);
}

/** form-js patterns match the whole value; an invalid pattern in a deployed form refuses every value. */
function matchesPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return false;
  }
}

function checkType(field: FormComponent, value: unknown, label: string, context: Record<string, unknown>): Problem {
  switch (field.type) {
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return null;
      if (field.serializeToString && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return null;
      return { code: 'TYPE', message: `${label}应为数字` };
    case 'checkbox':
      return typeof value === 'boolean' ? null : { code: 'TYPE', message: `${label}应为是/否` };
    case 'checklist':
    case 'taglist':
      if (!Array.isArray(value)) return { code: 'TYPE', message: `${label}应为选项列表` };
      return value.every((v) => allowed(field, v, context)) ? null : { code: 'OPTION', message: `${label}的选项无效` };
    case 'select':
    case 'radio':
      return allowed(field, value, context) ? null : { code: 'OPTION', message: `${label}的选项无效` };
    case 'datetime':
      return typeof value === 'string' ? checkDateTime(field, value, label) : { code: 'TYPE', message: `${label}应为文本` };
    case 'textfield':
    case 'textarea':
      return typeof value === 'string' ? null : { code: 'TYPE', message: `${label}应为文本` };
    default:
      return null;
  }
}

function checkDateTime(field: FormComponent, value: string, label: string): Problem {
  switch (field.subtype ?? 'date') {
    case 'time':
      return /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?([+-]\d{2}:\d{2}|Z)?$/.test(value) ? null : { code: 'TIME', message: `${label}应为时间（时:分）` };
    case 'datetime':
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && isRealDate(value.slice(0, 10)) && !Number.isNaN(Date.parse(value))
        ? null
        : { code: 'DATETIME', message: `${label}应为日期时间` };
    default:
      return isRealDate(value) ? null : { code: 'DATE', message: `${label}应为有效日期（yyyy-mm-dd）` };
  }
}

/** Static options, or the options a `valuesKey` names in the task's variables; other sources are not checked. */
function allowed(field: FormComponent, value: unknown, context: Record<string, unknown>): boolean {
  const options = field.values ?? (field.valuesKey && Array.isArray(context[field.valuesKey]) ? (context[field.valuesKey] as { value: unknown }[]) : undefined);
  if (!options) return true;
  return options.some((o) => (isPlainObject(o) ? o.value === value : o === value));
}

// ---- domain rules --------------------------------------------------------------------------------

type Domain = 'id-number' | 'person-name' | 'date';

/** A field's domain: `properties.domain` in the form, or its key by convention (idNumber, personName, …Date on a datetime). */
export function domainOf(field: FormComponent): Domain | undefined {
  const declared = field.properties?.domain;
  if (declared === 'id-number' || declared === 'person-name' || declared === 'date') return declared;
  const key = field.key ?? '';
  if (/^idNumber$|IdNumber$/.test(key)) return 'id-number';
  if (/^personName$|PersonName$/.test(key)) return 'person-name';
  if (field.type === 'datetime' && (field.subtype ?? 'date') === 'date') return 'date';
  return undefined;
}

const ID_MESSAGES: Record<IdNumberProblem, string> = {
  FORMAT: '应为 18 位身份证号码（末位可为 X）',
  PROVINCE: '的地址码不正确',
  BIRTH_DATE: '中的出生日期不正确',
  CHECK_DIGIT: '校验位不正确',
};

/** §7.2: CJK ideographs (all extensions), the middle dot of minority and transliterated names, Latin letters; no spaces; 2–20 characters. */
const PERSON_NAME = /^[\p{Script=Han}\u00b7A-Za-z]{2,20}$/u;

function checkDomain(field: FormComponent, value: unknown, label: string, now: Date): Problem {
  if (typeof value !== 'string') return null;
  switch (domainOf(field)) {
    case 'id-number': {
      const result = checkIdNumber(value, now);
      return result.valid ? null : { code: 'ID_NUMBER', message: `${label}${ID_MESSAGES[result.problem]}` };
    }
    case 'person-name':
      return PERSON_NAME.test(value) ? null : { code: 'PERSON_NAME', message: `${label}应为 2–20 个汉字或字母，不含空格` };
    case 'date': {
      if (!isRealDate(value)) return { code: 'DATE', message: `${label}应为有效日期（yyyy-mm-dd）` };
      const planned = field.properties?.planned !== undefined && field.properties.planned !== 'false' && field.properties.planned !== false;
      return !planned && value > isoDate(now) ? { code: 'FUTURE_DATE', message: `${label}不能晚于今天` } : null;
    }
    default:
      return null;
  }
}

// Checks submitted task variables against the task's form-js schema: only the form's fields,
// required ones present, values of the field's type, within its pattern, length and range.
import type { FieldError } from '../core/errors';

interface FormComponent {
  type?: string;
  key?: string;
  label?: string;
  components?: FormComponent[];
  values?: { value: unknown }[];
  validate?: { required?: boolean; pattern?: string; minLength?: number; maxLength?: number; min?: number; max?: number };
}

const NON_INPUT = new Set(['text', 'button', 'separator', 'spacer', 'image', 'html', 'group', 'iframe', 'table']);

function inputFields(components: FormComponent[] = []): FormComponent[] {
  return components.flatMap((c) => (c.components ? inputFields(c.components) : c.key && !NON_INPUT.has(c.type ?? '') ? [c] : []));
}

export function validateAgainstForm(schema: { components?: FormComponent[] }, variables: Record<string, unknown>): FieldError[] {
  const fields = inputFields(schema.components);
  const byKey = new Map(fields.map((f) => [f.key!, f]));
  const errors: FieldError[] = [];
  for (const key of Object.keys(variables)) {
    if (!byKey.has(key)) errors.push({ field: `/${key}`, message: '表单中没有此字段' });
  }
  for (const field of fields) {
    const key = field.key!;
    const value = variables[key];
    const label = field.label ?? key;
    const rules = field.validate ?? {};
    if (value === undefined || value === null || value === '') {
      if (rules.required) errors.push({ field: `/${key}`, message: `${label}为必填项` });
      continue;
    }
    const typeError = checkType(field, value);
    if (typeError) {
      errors.push({ field: `/${key}`, message: `${label}${typeError}` });
      continue;
    }
    if (typeof value === 'string') {
      if (rules.minLength !== undefined && value.length < rules.minLength) errors.push({ field: `/${key}`, message: `${label}不能少于 ${rules.minLength} 个字符` });
      if (rules.maxLength !== undefined && value.length > rules.maxLength) errors.push({ field: `/${key}`, message: `${label}不能超过 ${rules.maxLength} 个字符` });
      if (rules.pattern && !new RegExp(`^(?:${rules.pattern})$`, 'u').test(value)) errors.push({ field: `/${key}`, message: `${label}格式不正确` });
    }
    if (typeof value === 'number') {
      if (rules.min !== undefined && value < rules.min) errors.push({ field: `/${key}`, message: `${label}不能小于 ${rules.min}` });
      if (rules.max !== undefined && value > rules.max) errors.push({ field: `/${key}`, message: `${label}不能大于 ${rules.max}` });
    }
  }
  return errors;
}

function checkType(field: FormComponent, value: unknown): string | null {
  switch (field.type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : '应为数字';
    case 'checkbox':
      return typeof value === 'boolean' ? null : '应为是/否';
    case 'checklist':
    case 'taglist':
      return Array.isArray(value) && value.every((v) => allowed(field, v)) ? null : '的选项无效';
    case 'select':
    case 'radio':
      return allowed(field, value) ? null : '的选项无效';
    case 'datetime':
    case 'textfield':
    case 'textarea':
      return typeof value === 'string' ? null : '应为文本';
    default:
      return null;
  }
}

function allowed(field: FormComponent, value: unknown): boolean {
  return !field.values || field.values.some((v) => v.value === value);
}

// The server's field errors (400 VALIDATION_FAILED, details [{ field: '/person/idNumber', message }])
// placed on the form-js fields they name. form-js keeps its errors in its state keyed by field id
// (and the repeat indexes of a dynamic list) — the same place its own validate() writes them, so each
// field shows the message under itself in form-js's own markup and clears it when the value changes.
import type { Form } from '@bpmn-io/form-js-viewer';
import type { FieldError } from '../shared/api';

interface FieldInstance {
  id: string;
  valuePath: Array<string | number>;
  indexes?: Record<string, number>;
}

interface FieldInstanceRegistry {
  getAllKeyed(): FieldInstance[];
}

/** A JSON pointer's segments: '/person/idNumber' → ['person', 'idNumber']. */
export const pointerSegments = (pointer: string): string[] =>
  pointer
    .split('/')
    .slice(1)
    .filter((s) => s !== '')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

/**
 * Shows each error on its field; returns the errors that name no field of the form (e.g. the whole
 * submission), for the summary to list on their own.
 */
export function showServerErrors(form: Form, errors: readonly FieldError[]): FieldError[] {
  const instances = form.get<FieldInstanceRegistry>('formFieldInstanceRegistry').getAllKeyed();
  const byPath = new Map(instances.map((i) => [i.valuePath.map(String).join('/'), i]));
  const state: Record<string, unknown> = {};
  const unplaced: FieldError[] = [];
  for (const error of errors) {
    const instance = byPath.get(pointerSegments(error.field).join('/'));
    if (!instance) {
      unplaced.push(error);
      continue;
    }
    setIn(state, [instance.id, ...Object.values(instance.indexes ?? {})], [error.message]);
  }
  form._setState({ errors: state });
  return unplaced;
}

function setIn(target: Record<string, unknown>, path: Array<string | number>, value: unknown): void {
  let node: Record<string | number, unknown> = target;
  path.forEach((key, i) => {
    if (i === path.length - 1) node[key] = value;
    else node = (node[key] ??= typeof path[i + 1] === 'number' ? [] : {}) as Record<string | number, unknown>;
  });
}

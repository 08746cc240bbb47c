// Zeebe expressions: a value that starts with '=' is FEEL (evaluated by feelin), anything else is a
// static string. Zeebe raises an incident where an expression cannot be evaluated; so do we, by
// throwing an ExpressionError that the step runner turns into an incident.
import { evaluate } from 'feelin';

export class ExpressionError extends Error {
  constructor(
    readonly expression: string,
    message: string,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

export const isFeel = (value: unknown): value is string => typeof value === 'string' && value.trimStart().startsWith('=');

/** Evaluates a Zeebe expression: FEEL when it starts with '=', else the literal text. */
export function evaluateExpression(expression: string, context: Record<string, unknown>): unknown {
  if (!isFeel(expression)) return expression;
  const feel = expression.trimStart().slice(1);
  try {
    return toPlain(evaluate(feel, context).value);
  } catch (err) {
    throw new ExpressionError(expression, `表达式无法求值 (failed to evaluate expression) '${expression}': ${(err as Error).message}`);
  }
}

/** A condition on a sequence flow: must evaluate to a boolean (Zeebe: otherwise an incident). */
export function evaluateCondition(expression: string, context: Record<string, unknown>): boolean {
  const value = evaluateExpression(expression, context);
  if (typeof value !== 'boolean') {
    if (value === null || value === undefined) return false;
    throw new ExpressionError(expression, `条件表达式的结果不是布尔值 (condition did not evaluate to a boolean) '${expression}': ${JSON.stringify(value)}`);
  }
  return value;
}

/** Zeebe's list-or-comma-separated fields (candidateGroups, candidateUsers). */
export function evaluateList(expression: string | undefined, context: Record<string, unknown>): string[] {
  if (!expression) return [];
  const value = evaluateExpression(expression, context);
  if (Array.isArray(value)) return value.map(String);
  if (value === null || value === undefined) return [];
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

// feelin returns its own date/time and duration objects for temporal values; keep variables JSON.
function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object') {
    const v = value as { toISO?: () => string; constructor?: { name?: string } };
    if (typeof v.toISO === 'function') return v.toISO();
    if (value instanceof Date) return value.toISOString();
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value as Record<string, unknown>)) {
      if (typeof x !== 'function') out[k] = toPlain(x);
    }
    return out;
  }
  return value;
}

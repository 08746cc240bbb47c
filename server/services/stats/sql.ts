// A small SQL composer for the statistics: fragments with their bindings, composed with a template tag,
// run through knex.raw. Values become `?` bindings; a Sql fragment is spliced in with its own bindings.
import type { Knex } from 'knex';

export class Sql {
  constructor(
    readonly text: string,
    readonly values: readonly unknown[],
  ) {}
}

/** sql`select … where a = ${value} and ${fragment}`: values are bound, Sql fragments are spliced. */
export function sql(strings: TemplateStringsArray, ...args: unknown[]): Sql {
  let text = strings[0]!;
  const values: unknown[] = [];
  args.forEach((arg, i) => {
    if (arg instanceof Sql) {
      text += arg.text;
      values.push(...arg.values);
    } else {
      text += '?';
      values.push(arg);
    }
    text += strings[i + 1]!;
  });
  return new Sql(text, values);
}

export const raw = (text: string): Sql => new Sql(text, []);

export function join(parts: readonly Sql[], separator: string): Sql {
  return new Sql(parts.map((p) => p.text).join(separator), parts.flatMap((p) => p.values));
}

export async function rows<T = Record<string, unknown>>(db: Knex, query: Sql): Promise<T[]> {
  const result = await db.raw(query.text, query.values as Knex.RawBinding[]);
  return (result.rows ?? []) as T[];
}

/** A number from a pg value (bigint counts and numerics arrive as text). */
export const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
export const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** r / a, rounded to 4 places; null when a = 0 (§2.2: "A=0 → undefined, show —"). */
export const ratio = (r: number, a: number): number | null => (a === 0 ? null : Math.round((r / a) * 10_000) / 10_000);

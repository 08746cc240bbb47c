// The parameter store: what workers, calculators and rules read as "the value in force on a day", and
// the one way to change a value (a new version, recorded in the audit log). domain-spec.md §0.
import type { Knex } from 'knex';
import { PARAMETER_DEFAULTS, type Parameter } from '../../domain/parameters/index';
import { isoDate } from '../../domain/id-number';
import { systemClock, type Clock } from '../core/clock';
import { AppError } from '../core/errors';
import { appendAuditEvents } from '../repositories/audit-events';
import { createParametersRepository, type NewParameterVersion, type ParameterRow } from '../repositories/parameters';

/** A parameter value as rules use it, with where it comes from (shown to users: status A/B/C). */
export interface ParameterValue<T = unknown> {
  key: string;
  version: number;
  validFrom: string;
  validTo: string | null;
  status: 'A' | 'B' | 'C';
  docNo: string | null;
  source: string | null;
  value: T;
}

export class ParameterMissingError extends AppError {
  constructor(key: string, day: string) {
    super(500, 'PARAMETER_MISSING', `参数 ${key} 在 ${day} 没有有效版本 (no version of parameter ${key} in force on ${day})`, { key, day });
  }
}

export interface ParameterStore {
  /** The version of `key` in force on `on` (a Date or yyyy-mm-dd; default: today). */
  get<T = unknown>(key: string, on?: Date | string): Promise<ParameterValue<T>>;
  /** As get, or undefined when the key has no version in force. */
  find<T = unknown>(key: string, on?: Date | string): Promise<ParameterValue<T> | undefined>;
  list(): Promise<ParameterValue[]>;
  versions(key: string): Promise<ParameterValue[]>;
  /** Adds a version; the change is an audit event `admin.parameter.changed` in the same transaction. */
  addVersion(draft: Omit<NewParameterVersion, 'createdBy'>, actor: { username: string; userId: string | null }): Promise<ParameterValue>;
}

export function toParameterValue<T>(row: ParameterRow): ParameterValue<T> {
  return {
    key: row.key,
    version: row.version,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    status: row.status,
    docNo: row.doc_no,
    source: row.source,
    value: row.value as T,
  };
}

export function createParameterStore(db: Knex, clock: Clock = systemClock): ParameterStore {
  const repo = createParametersRepository(db);
  const dayOf = (on: Date | string | undefined) => (on === undefined ? isoDate(clock()) : typeof on === 'string' ? on.slice(0, 10) : isoDate(on));
  const store: ParameterStore = {
    async find<T>(key: string, on?: Date | string) {
      const row = await repo.inForce(key, dayOf(on));
      return row ? toParameterValue<T>(row) : undefined;
    },
    async get<T>(key: string, on?: Date | string) {
      const found = await store.find<T>(key, on);
      if (!found) throw new ParameterMissingError(key, dayOf(on));
      return found;
    },
    async list() {
      return (await repo.latestOfEachKey()).map((r) => toParameterValue(r));
    },
    async versions(key) {
      return (await repo.versions(key)).map((r) => toParameterValue(r));
    },
    async addVersion(draft, actor) {
      return db.transaction(async (trx) => {
        const row = await createParametersRepository(trx).addVersion(trx, { ...draft, createdBy: actor.userId });
        await appendAuditEvents(trx, [
          {
            actor: `user:${actor.username}`,
            kind: 'admin.parameter.changed',
            payload: { key: row.key, version: row.version, validFrom: row.valid_from, validTo: row.valid_to, status: row.status, docNo: row.doc_no, value: row.value },
          },
        ]);
        return toParameterValue(row);
      });
    },
  };
  return store;
}

/**
 * Writes the built-in defaults of keys the table does not hold yet (versions 1…n in validFrom order).
 * A key an administrator has versioned is never touched. Run at every start.
 */
export async function seedDefaultParameters(db: Knex, defaults: readonly Parameter<unknown>[] = PARAMETER_DEFAULTS): Promise<number> {
  return db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['parameters:seed']);
    const repo = createParametersRepository(trx);
    const present = await repo.keysPresent();
    const missing = defaults.filter((p) => !present.has(p.key)).sort((a, b) => a.validFrom.localeCompare(b.validFrom));
    for (const p of missing) {
      await repo.addVersion(trx, { key: p.key, validFrom: p.validFrom, value: p.value, status: p.status, docNo: p.version, source: p.source, note: '内置默认值 (built-in default)' });
    }
    return missing.length;
  });
}

// Finding staff on the rolls, for the pages that start a case about someone (退休, 调动, 职务变动…).
// Scoped like cases: a unit clerk finds the own unit's staff only. ID numbers leave masked.
import type { Knex } from 'knex';
import { maskIdNumber } from '../../domain/id-number';
import type { AuthUser } from '../core/auth-user';
import { caseScopeOf } from '../core/policy';
import { searchActivePersons } from '../repositories/persons';

export interface PersonHit {
  id: string;
  name: string;
  /** first 6 and last 4 characters */
  idNumberMasked: string;
  gender: string;
  birthDate: string;
  unitId: string | null;
  unitCode: string | null;
  unitName: string | null;
  bianzhiType: string | null;
  post: string | null;
}

export interface PersonService {
  search(input: { q: string; unitId?: string; limit: number }, user: AuthUser): Promise<PersonHit[]>;
}

export function createPersonService(deps: { db: Knex }): PersonService {
  return {
    async search(input, user) {
      const scope = caseScopeOf(user);
      if (scope.kind === 'units' && !scope.unitIds.length) return [];
      const rows = await searchActivePersons(deps.db, { ...input, unitIds: scope.kind === 'units' ? scope.unitIds : undefined });
      return rows.map((row) => ({
        id: row.id,
        name: row.name,
        idNumberMasked: maskIdNumber(row.id_number),
        gender: row.gender,
        birthDate: typeof row.birth_date === 'string' ? row.birth_date : new Date(row.birth_date).toISOString().slice(0, 10),
        unitId: row.unit_id,
        unitCode: row.unit_code,
        unitName: row.unit_name,
        bianzhiType: row.bianzhi_type,
        post: row.post,
      }));
    },
  };
}

// Deployed forms, read side (the engines' deployers write form_definitions).
import type { Knex } from 'knex';

export interface FormDefinitionSummary {
  formId: string;
  version: number;
  resourceName: string;
  deployedBy: string;
  deployedAt: string;
}

export interface FormDefinition extends FormDefinitionSummary {
  schema: Record<string, unknown>;
}

const COLUMNS = ['f.form_id', 'f.version', 'f.resource_name', 'f.deployed_by', 'f.deployed_at'];

const toSummary = (row: any): FormDefinitionSummary => ({
  formId: row.form_id,
  version: row.version,
  resourceName: row.resource_name,
  deployedBy: row.deployed_by,
  deployedAt: new Date(row.deployed_at).toISOString(),
});

/** The latest version of every form id, by form id. */
export async function listLatestForms(db: Knex): Promise<FormDefinitionSummary[]> {
  const rows = await db('form_definitions as f')
    .select(COLUMNS)
    .whereRaw('f.version = (select max(x.version) from form_definitions x where x.form_id = f.form_id)')
    .orderBy('f.form_id');
  return rows.map(toSummary);
}

/** One form's schema: the given version, or the latest. */
export async function findForm(db: Knex, formId: string, version?: number): Promise<FormDefinition | undefined> {
  const query = db('form_definitions as f').select([...COLUMNS, 'f.schema']).where('f.form_id', formId);
  const row = await (version === undefined ? query.orderBy('f.version', 'desc').first() : query.andWhere('f.version', version).first());
  return row ? { ...toSummary(row), schema: row.schema } : undefined;
}

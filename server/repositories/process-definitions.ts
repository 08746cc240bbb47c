// Deployed process definitions, read side (the engine's DefinitionStore writes them).
import type { Knex } from 'knex';

export interface ProcessDefinitionSummary {
  id: string;
  processId: string;
  name: string | null;
  version: number;
  latestVersion: number;
  resourceName: string;
  checksum: string;
  deployedBy: string;
  deployedAt: string;
}

const toSummary = (row: any): ProcessDefinitionSummary => ({
  id: row.id,
  processId: row.process_id,
  name: row.name,
  version: row.version,
  latestVersion: Number(row.latest_version ?? row.version),
  resourceName: row.resource_name,
  checksum: row.checksum,
  deployedBy: row.deployed_by,
  deployedAt: new Date(row.deployed_at).toISOString(),
});

const SUMMARY_COLUMNS = ['d.id', 'd.process_id', 'd.name', 'd.version', 'd.resource_name', 'd.checksum', 'd.deployed_by', 'd.deployed_at'];

/** The latest version of every process id. */
export async function listLatestDefinitions(db: Knex): Promise<ProcessDefinitionSummary[]> {
  const rows = await db('process_definitions as d')
    .select(SUMMARY_COLUMNS)
    .whereRaw('d.version = (select max(x.version) from process_definitions x where x.process_id = d.process_id)')
    .orderBy('d.process_id');
  return rows.map(toSummary);
}

/** Every version of one process id, newest first. */
export async function listDefinitionVersions(db: Knex, processId: string): Promise<ProcessDefinitionSummary[]> {
  const rows = await db('process_definitions as d').select(SUMMARY_COLUMNS).where('d.process_id', processId).orderBy('d.version', 'desc');
  const latest = rows[0]?.version;
  return rows.map((r) => toSummary({ ...r, latest_version: latest }));
}

export async function findDefinitionXml(db: Knex, processId: string, version?: number): Promise<{ version: number; xml: string } | undefined> {
  const query = db('process_definitions').select('version', 'xml').where({ process_id: processId });
  return version === undefined ? query.orderBy('version', 'desc').first() : query.andWhere({ version }).first();
}

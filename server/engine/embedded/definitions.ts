// Deployed diagrams and forms: versioning by checksum, and the parsed models the sessions run
// (parsed once per definition and kept; a definition never changes once deployed).
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { notFound } from '../../core/errors';
import { parseProcessModel, type ProcessModel } from './zeebe-model';

export interface DefinitionRow {
  id: string;
  process_id: string;
  version: number;
  name: string | null;
  resource_name: string;
  xml: string;
  checksum: string;
  deployed_by: string;
  deployed_at: Date;
}

export interface LoadedDefinition {
  row: DefinitionRow;
  model: ProcessModel;
}

export const checksumOf = (content: string): string => createHash('sha256').update(content).digest('hex');

export class DefinitionStore {
  private readonly models = new Map<string, Promise<ProcessModel>>();
  private readonly loaded = new Map<string, LoadedDefinition>();
  /** the latest version of each process id as last read; a start on it states so in its statement (isStillLatest) */
  private readonly latestRead = new Map<string, LoadedDefinition>();

  constructor(private readonly db: Knex) {}

  /** Inserts the next version unless the latest version has the same checksum. */
  async saveProcess(trx: Knex.Transaction, input: { processId: string; name: string | null; resourceName: string; xml: string; deployedBy: string }): Promise<{ row: DefinitionRow; isNew: boolean }> {
    // serialize deployments of one process id: the version number must not be taken twice
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`process-definition:${input.processId}`]);
    const checksum = checksumOf(input.xml);
    const latest: DefinitionRow | undefined = await trx('process_definitions').where({ process_id: input.processId }).orderBy('version', 'desc').first();
    if (latest && latest.checksum === checksum) return { row: latest, isNew: false };
    const [row] = await trx('process_definitions')
      .insert({
        process_id: input.processId,
        version: (latest?.version ?? 0) + 1,
        name: input.name,
        resource_name: input.resourceName,
        xml: input.xml,
        checksum,
        deployed_by: input.deployedBy,
      })
      .returning('*');
    return { row, isNew: true };
  }

  async saveForm(trx: Knex.Transaction, input: { formId: string; resourceName: string; schema: unknown; content: string; deployedBy: string }): Promise<{ formId: string; version: number; checksum: string; isNew: boolean }> {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`form-definition:${input.formId}`]);
    const checksum = checksumOf(input.content);
    const latest = await trx('form_definitions').where({ form_id: input.formId }).orderBy('version', 'desc').first();
    if (latest && latest.checksum === checksum) return { formId: input.formId, version: latest.version, checksum, isNew: false };
    const version = (latest?.version ?? 0) + 1;
    await trx('form_definitions').insert({
      form_id: input.formId,
      version,
      resource_name: input.resourceName,
      schema: JSON.stringify(input.schema),
      checksum,
      deployed_by: input.deployedBy,
    });
    return { formId: input.formId, version, checksum, isNew: true };
  }

  /** A deployed definition never changes, so one read per process lifetime is enough. */
  async byId(id: string, db: Knex = this.db): Promise<LoadedDefinition> {
    const cached = this.loaded.get(id);
    if (cached) return cached;
    const row: DefinitionRow | undefined = await db('process_definitions').where({ id }).first();
    if (!row) throw notFound('流程定义');
    const loaded = { row, model: await this.model(row) };
    this.loaded.set(id, loaded);
    return loaded;
  }

  async latest(processId: string, version?: number, db: Knex = this.db): Promise<LoadedDefinition> {
    const query = db('process_definitions').where({ process_id: processId });
    const row: DefinitionRow | undefined = await (version ? query.andWhere({ version }) : query.orderBy('version', 'desc')).first();
    if (!row) throw notFound(`流程 ${processId}${version ? ` 版本 ${version}` : ''} `.trim());
    const loaded = { row, model: await this.model(row) };
    if (!version) this.latestRead.set(processId, loaded);
    return loaded;
  }

  /**
   * The latest version of the process as this process last read it, without asking the database: a
   * step written on it must state isStillLatest, since another server may have deployed since.
   */
  lastReadLatest(processId: string): LoadedDefinition | undefined {
    return this.latestRead.get(processId);
  }

  forgetLatest(processId: string): void {
    this.latestRead.delete(processId);
  }

  model(row: DefinitionRow): Promise<ProcessModel> {
    let model = this.models.get(row.id);
    if (!model) {
      model = parseProcessModel(row.xml);
      this.models.set(row.id, model);
      model.catch(() => this.models.delete(row.id));
    }
    return model;
  }
}

/** SQL that holds while `definition` is still the latest version of its process id (for step_guard). */
export function isStillLatest(db: Knex, definition: DefinitionRow): Knex.Raw {
  return db.raw(`coalesce((select d.id from process_definitions d where d.process_id = ? order by d.version desc limit 1) = ?::uuid, false)`, [definition.process_id, definition.id]);
}

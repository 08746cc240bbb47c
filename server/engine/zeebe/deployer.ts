// Deploys diagrams and forms to the cluster, after the same lint and checks as the embedded engine
// (a diagram stays portable between the two engines, and the re-run of the audit log needs it), then
// mirrors what the cluster made of them into process_definitions / form_definitions with the
// cluster's version numbers: the API, the modeler, the inbox forms and the history read those tables.
import type { Knex } from 'knex';
import type { Logger } from '../../core/logger';
import { appendAuditEvents } from '../../repositories/audit-events';
import { checkResources, deploymentCreated } from '../deploy-resources';
import { checksumOf } from '../embedded/definitions';
import { actorLabel } from '../embedded/step-writer';
import type { Actor, DeployResource, DeployResult, DeployedForm, DeployedProcess } from '../types';
import type { ZeebeGrpc } from './clients';
import { fromGrpc } from './errors';

interface ProcessMetadata {
  bpmnProcessId: string;
  version: number;
  processDefinitionKey: string;
  resourceName: string;
}
interface FormMetadata {
  formId: string;
  version: number;
  formKey: string;
  resourceName: string;
}

export async function deployToZeebe(deps: { db: Knex; grpc: ZeebeGrpc; log: Logger }, resources: DeployResource[], actor: Actor): Promise<DeployResult> {
  const { diagrams } = await checkResources(resources);
  const nameOf = new Map(diagrams.map((d) => [d.resource.name, d.name]));

  // one DeployResource command: the cluster deploys all of them or none
  const response = await deps.grpc
    .deployResources(resources.map((r) => (/\.form$/i.test(r.name) ? { name: r.name, form: Buffer.from(r.content) } : { name: r.name, process: Buffer.from(r.content) })))
    .catch((err: unknown) => {
      throw fromGrpc(err, '部署');
    });
  const byName = new Map(resources.map((r) => [r.name, r]));
  const deployments = (response.deployments ?? []) as Array<{ process?: ProcessMetadata; form?: FormMetadata }>;

  return deps.db.transaction(async (trx) => {
    const result: DeployResult = { processes: [], forms: [] };
    for (const { form } of deployments) {
      if (!form) continue;
      const resource = byName.get(form.resourceName);
      if (!resource) continue;
      result.forms.push(await mirrorForm(trx, form, resource, actor, deps.log));
    }
    for (const { process } of deployments) {
      if (!process) continue;
      const resource = byName.get(process.resourceName);
      if (!resource) continue;
      result.processes.push(await mirrorProcess(trx, process, resource, nameOf.get(resource.name) ?? null, actor, deps.log));
    }
    await appendAuditEvents(trx, [
      deploymentCreated(actorLabel(actor), result, {
        zeebe: { deploymentKey: String(response.key), processDefinitionKeys: deployments.filter((d) => d.process).map((d) => String(d.process!.processDefinitionKey)) },
      }),
    ]);
    return result;
  });
}

/** The cluster's version of a process, as a row of ours (the cluster answers an unchanged file with the version it has). */
async function mirrorProcess(trx: Knex.Transaction, meta: ProcessMetadata, resource: DeployResource, name: string | null, actor: Actor, log: Logger): Promise<DeployedProcess> {
  const checksum = checksumOf(resource.content);
  const version = Number(meta.version);
  const existing = await trx('process_definitions').where({ process_id: meta.bpmnProcessId, version }).first();
  if (existing) {
    if (existing.checksum !== checksum) log.warn({ processId: meta.bpmnProcessId, version }, 'the cluster holds another diagram under this version than our mirror; the mirror is kept');
    return { processId: meta.bpmnProcessId, version, deploymentId: existing.id, checksum: existing.checksum, isNew: false };
  }
  const [row] = await trx('process_definitions')
    .insert({ process_id: meta.bpmnProcessId, version, name, resource_name: resource.name, xml: resource.content, checksum, deployed_by: actorLabel(actor) })
    .returning(['id']);
  return { processId: meta.bpmnProcessId, version, deploymentId: row.id, checksum, isNew: true };
}

async function mirrorForm(trx: Knex.Transaction, meta: FormMetadata, resource: DeployResource, actor: Actor, log: Logger): Promise<DeployedForm> {
  const checksum = checksumOf(resource.content);
  const version = Number(meta.version);
  const existing = await trx('form_definitions').where({ form_id: meta.formId, version }).first();
  if (existing) {
    if (existing.checksum !== checksum) log.warn({ formId: meta.formId, version }, 'the cluster holds another form under this version than our mirror; the mirror is kept');
    return { formId: meta.formId, version, checksum: existing.checksum, isNew: false };
  }
  await trx('form_definitions').insert({ form_id: meta.formId, version, resource_name: resource.name, schema: resource.content, checksum, deployed_by: actorLabel(actor) });
  return { formId: meta.formId, version, checksum, isNew: true };
}

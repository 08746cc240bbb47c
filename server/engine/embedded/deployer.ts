// Deploys diagrams and forms: lint + engine checks first (422 with every finding), then each process
// id gets its next version unless its content is unchanged. Timer start events of a new version
// replace those of the version before, as in Zeebe.
import type { Knex } from 'knex';
import { AppError, validationFailed } from '../../core/errors';
import { appendAuditEvents } from '../../repositories/audit-events';
import { checkDeployable } from '../deploy-checks';
import { evaluateExpression } from '../feel';
import { lintErrors, type LintFinding } from '../lint';
import type { Actor, DeployResource, DeployResult } from '../types';
import type { DefinitionStore } from './definitions';
import { actorLabel } from './step-writer';
import { durationMs } from './timer-durations';

export interface LintFailureDetail {
  resource: string;
  findings: LintFinding[];
}

export async function deployResources(db: Knex, store: DefinitionStore, resources: DeployResource[], actor: Actor, now: () => Date): Promise<DeployResult> {
  if (!resources.length) throw validationFailed([{ field: 'resources', message: '请至少上传一个 .bpmn 或 .form 文件' }]);
  const diagrams: { resource: DeployResource; processId: string; name: string | null }[] = [];
  const forms: { resource: DeployResource; formId: string; schema: unknown }[] = [];
  const failures: LintFailureDetail[] = [];

  for (const resource of resources) {
    if (/\.bpmn$/i.test(resource.name)) {
      const { processIds, findings } = await checkDeployable(resource.content);
      const errors = lintErrors(findings);
      if (errors.length) failures.push({ resource: resource.name, findings });
      else diagrams.push({ resource, processId: processIds[0], name: processNameOf(resource.content, processIds[0]) });
    } else if (/\.form$/i.test(resource.name)) {
      const form = parseForm(resource);
      if ('finding' in form) failures.push({ resource: resource.name, findings: [form.finding] });
      else forms.push({ resource, formId: form.formId, schema: form.schema });
    } else {
      throw validationFailed([{ field: 'resources', message: `不支持的文件类型：${resource.name}（只接受 .bpmn 和 .form）` }]);
    }
  }
  if (failures.length) throw new AppError(422, 'LINT_FAILED', '流程图检查未通过，未部署任何文件', failures);

  return db.transaction(async (trx) => {
    const result: DeployResult = { processes: [], forms: [] };
    for (const form of forms) {
      result.forms.push(await store.saveForm(trx, { formId: form.formId, resourceName: form.resource.name, schema: form.schema, content: form.resource.content, deployedBy: actorLabel(actor) }));
    }
    for (const diagram of diagrams) {
      const { row, isNew } = await store.saveProcess(trx, {
        processId: diagram.processId,
        name: diagram.name,
        resourceName: diagram.resource.name,
        xml: diagram.resource.content,
        deployedBy: actorLabel(actor),
      });
      if (isNew) await scheduleStartTimers(trx, store, row.id, row.process_id, now());
      result.processes.push({ processId: row.process_id, version: row.version, deploymentId: row.id, checksum: row.checksum, isNew });
    }
    await appendAuditEvents(trx, [
      {
        actor: actorLabel(actor),
        kind: 'deployment.created',
        payload: {
          processes: result.processes.map((p) => ({ processId: p.processId, version: p.version, checksum: p.checksum, isNew: p.isNew })),
          forms: result.forms,
        },
      },
    ]);
    return result;
  });
}

function processNameOf(xml: string, processId: string): string | null {
  const match = new RegExp(`<(?:\\w+:)?process\\b[^>]*\\bid="${processId}"[^>]*>`).exec(xml);
  const name = match && /\bname="([^"]*)"/.exec(match[0]);
  return name ? name[1] : null;
}

function parseForm(resource: DeployResource): { formId: string; schema: unknown } | { finding: LintFinding } {
  try {
    const schema = JSON.parse(resource.content) as { id?: unknown; components?: unknown };
    if (typeof schema.id !== 'string' || !schema.id) return { finding: { id: '', rule: 'form-id', category: 'error', message: '表单缺少 id (form schema has no id)' } };
    if (!Array.isArray(schema.components)) return { finding: { id: schema.id, rule: 'form-components', category: 'error', message: '表单缺少 components 数组' } };
    return { formId: schema.id, schema };
  } catch (err) {
    return { finding: { id: '', rule: 'form-json', category: 'error', message: `表单不是有效的 JSON: ${(err as Error).message}` } };
  }
}

async function scheduleStartTimers(trx: Knex.Transaction, store: DefinitionStore, definitionId: string, processId: string, now: Date): Promise<void> {
  const { model } = await store.byId(definitionId, trx);
  const previous = trx('process_definitions').select('id').where({ process_id: processId }).whereNot({ id: definitionId });
  await trx('timers').whereNull('instance_id').whereIn('definition_id', previous).where({ state: 'active' }).update({ state: 'canceled' });
  for (const start of model.timerStartEvents) {
    const timer = start.timer!;
    const value = String(evaluateExpression(timer.value, {}));
    const schedule = firstDue(timer.kind, value, now);
    if (!schedule) throw validationFailed([{ field: start.id, message: `无法解析定时器 ${value}` }]);
    await trx('timers').insert({ definition_id: definitionId, element_id: start.id, due_at: schedule.dueAt, repetitions: schedule.repetitions, cycle: timer.kind === 'timeCycle' ? value : null });
  }
}

function firstDue(kind: 'timeDuration' | 'timeDate' | 'timeCycle', value: string, now: Date): { dueAt: Date; repetitions: number | null } | null {
  if (kind === 'timeDate') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : { dueAt: date, repetitions: 1 };
  }
  if (kind === 'timeDuration') {
    const ms = durationMs(value);
    return ms ? { dueAt: new Date(now.getTime() + ms), repetitions: 1 } : null;
  }
  const match = /^R(\d*)\/(P.+)$/.exec(value);
  const ms = match && durationMs(match[2]);
  if (!match || !ms) return null;
  return { dueAt: new Date(now.getTime() + ms), repetitions: match[1] ? Number(match[1]) : null };
}

// Deploys diagrams and forms: lint + engine checks first (422 with every finding), then each process
// id gets its next version unless its content is unchanged. Timer start events of a new version
// replace those of the version before, as in Zeebe.
import type { Knex } from 'knex';
import { validationFailed } from '../../core/errors';
import { appendAuditEvents } from '../../repositories/audit-events';
import { checkResources, deploymentCreated } from '../deploy-resources';
import { evaluateExpression } from '../feel';
import type { Actor, DeployResource, DeployResult } from '../types';
import type { DefinitionStore } from './definitions';
import { actorLabel } from './step-writer';
import { durationMs } from './timer-durations';

export async function deployResources(db: Knex, store: DefinitionStore, resources: DeployResource[], actor: Actor, now: () => Date): Promise<DeployResult> {
  const { diagrams, forms } = await checkResources(resources);

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
    await appendAuditEvents(trx, [deploymentCreated(actorLabel(actor), result)]);
    return result;
  });
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

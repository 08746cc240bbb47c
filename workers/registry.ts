// Job type → handler: the one list of workers. Each entry's module is named after its job type.
import type { Knex } from 'knex';
import type { Clock } from '../server/core/clock';
import type { DocumentService } from '../server/services/documents';
import type { ParameterStore } from '../server/services/parameters';
import type { JobHandler } from './job';
import { worker as documentGenerate } from './document.generate';
import { worker as financeCalculateSubsidy } from './finance.calculate-subsidy';
import { worker as insuranceCalculateBase } from './insurance.calculate-base';
import { worker as notifyVeteransBureau } from './notify.veterans-bureau';
import { worker as pensionCalculate } from './pension.calculate';
import { worker as personArchive } from './person.archive';
import { worker as personChangePost } from './person.change-post';
import { worker as personChangeType } from './person.change-type';
import { worker as personLoad } from './person.load';
import { worker as personValidate } from './person.validate';
import { worker as quotaCheck } from './quota.check';
import { worker as quotaOccupy } from './quota.occupy';
import { worker as quotaRelease } from './quota.release';
import { worker as quotaReserve } from './quota.reserve';
import { worker as quotaTransfer } from './quota.transfer';
import { worker as quotaVacate } from './quota.vacate';
import { worker as retirementCheck } from './retirement.check';
import { worker as salaryCalculate } from './salary.calculate';
import { worker as taskEscalate } from './task.escalate';
import { worker as timeLimitsPlan } from './time-limits.plan';

/** What handlers may use: the database (their own transactions), the clock, parameters in force, documents. */
export interface WorkerDeps {
  db: Knex;
  clock: Clock;
  parameters: ParameterStore;
  documents: DocumentService;
}

export interface WorkerDefinition {
  jobType: string;
  createHandler: (deps: WorkerDeps) => JobHandler<any>;
}

/** The workers of the nine staff-change workflows (processes/*.bpmn name no job type outside this list). */
export const workers: WorkerDefinition[] = [
  timeLimitsPlan,
  taskEscalate,
  quotaCheck,
  quotaReserve,
  quotaOccupy,
  quotaRelease,
  quotaVacate,
  quotaTransfer,
  personValidate,
  personLoad,
  personArchive,
  personChangePost,
  personChangeType,
  salaryCalculate,
  insuranceCalculateBase,
  financeCalculateSubsidy,
  retirementCheck,
  pensionCalculate,
  notifyVeteransBureau,
  documentGenerate,
];

export function createHandlers(definitions: WorkerDefinition[], deps: WorkerDeps): Map<string, JobHandler<any>> {
  const handlers = new Map<string, JobHandler<any>>();
  for (const definition of definitions) {
    if (handlers.has(definition.jobType)) throw new Error(`job type ${definition.jobType} is registered twice`);
    handlers.set(definition.jobType, definition.createHandler(deps));
  }
  return handlers;
}

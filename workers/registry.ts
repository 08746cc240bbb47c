// Job type → handler: the one list of workers. Each entry's module is named after its job type.
import type { JobHandler } from './job';

export interface WorkerDeps {
  /** shared services a handler may need (repositories, parameter tables); added as workers arrive */
  [name: string]: unknown;
}

export interface WorkerDefinition {
  jobType: string;
  createHandler: (deps: WorkerDeps) => JobHandler<any>;
}

/** The workers of the staff-change workflows register here (the workflow issue adds them). */
export const workers: WorkerDefinition[] = [];

export function createHandlers(definitions: WorkerDefinition[], deps: WorkerDeps): Map<string, JobHandler<any>> {
  const handlers = new Map<string, JobHandler<any>>();
  for (const definition of definitions) {
    if (handlers.has(definition.jobType)) throw new Error(`job type ${definition.jobType} is registered twice`);
    handlers.set(definition.jobType, definition.createHandler(deps));
  }
  return handlers;
}

// Chooses and starts the engine the configuration names (embedded, or a Zeebe cluster), binds the job
// workers to it, and builds the services and HTTP routes that sit on either engine alike.
import type { Router } from 'express';
import type { RouterMount } from '../app';
import type { Config } from '../core/config';
import type { Database } from '../core/db';
import type { Logger } from '../core/logger';
import { calcRoutes } from '../routes/calc';
import { externalTaskRoutes } from '../routes/external-tasks';
import { importRoutes } from '../routes/imports';
import { modelingRoutes } from '../routes/modeling';
import { calcRetirementRoutes } from '../routes/calc-retirement';
import { documentRoutes, publicVerifyRoutes } from '../routes/documents';
import { historyRoutes } from '../routes/history';
import { retirementAlertRoutes } from '../routes/retirement-alerts';
import { statsRoutes } from '../routes/stats';
import { personRoutes } from '../routes/persons';
import { createPersonService } from '../services/persons';
import { unitRoutes } from '../routes/units';
import { userAdminRoutes } from '../routes/users';
import { parameterRoutes } from '../routes/parameters';
import { processDefinitionRoutes } from '../routes/process-definitions';
import { processInstanceRoutes } from '../routes/process-instances';
import { taskRoutes } from '../routes/tasks';
import { createExternalTaskService } from '../services/external-tasks';
import { createImportService } from '../services/imports/index';
import { createModelingService } from '../services/modeling';
import { createHistoryService } from '../services/history';
import { startReservationExpiry } from '../services/quota-reservations';
import { createStatsService, startSnapshotJob } from '../services/stats/index';
import { createRetirementAlertService, startRetirementAlertJob } from '../services/retirement-alerts';
import { createUnitService } from '../services/units';
import { createUserAdminService } from '../services/users-admin';
import { createProcessDefinitionService } from '../services/process-definitions';
import { createProcessInstanceService } from '../services/process-instances';
import { startTaskDeadlineMonitor } from '../services/task-deadlines';
import { createTaskService } from '../services/tasks';
import { createHandlers, workers, type WorkerDefinition } from '../../workers/registry';
import type { JobHandler } from '../../workers/job';
import { startInProcessWorkers, type RunningWorkers } from '../../workers/runtime/in-process';
import { deployBundledProcesses } from './bundled-processes';
import { EmbeddedEngine } from './embedded/embedded-engine';
import { startZeebe } from './zeebe/start';
import { createWorkerDeps } from './worker-deps';
import type { DefinitionStore } from './embedded/definitions';
import type { WorkflowEngine } from './types';

export interface RunningEngine {
  engine: WorkflowEngine;
  routers: Array<Router | RouterMount>;
  /** resolves when the in-process workers have no job running and found none to take at their last look */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartEngineDeps {
  db: Database;
  config: Config;
  log: Logger;
  extraWorkers?: WorkerDefinition[];
  /** false: no in-process workers; jobs wait for external-task workers (`npm run workers`). Default true. */
  inProcessWorkers?: boolean;
}

/** The engine the configuration names, with the job workers bound to it. */
interface EngineAndWorkers {
  engine: WorkflowEngine & { readonly definitions: DefinitionStore };
  workers: Pick<RunningWorkers, 'idle' | 'stop'>;
  /** routers only this engine serves (the external-task API needs the embedded engine's job rows) */
  routers: Array<Router | RouterMount>;
  stop(): Promise<void>;
}

const NO_WORKERS: Pick<RunningWorkers, 'idle' | 'stop'> = { idle: () => Promise.resolve(), stop: () => Promise.resolve() };

async function startChosenEngine(deps: StartEngineDeps, handlers: Map<string, JobHandler<any>>): Promise<EngineAndWorkers> {
  const { db, config, log } = deps;
  const withWorkers = deps.inProcessWorkers !== false;
  if (config.engine === 'zeebe') {
    // a Camunda 8 cluster runs the diagrams (server/engine/zeebe, docs/topologies.md)
    const zeebe = await startZeebe({ db: db.knex, config, log, handlers, workers: withWorkers });
    return { engine: zeebe.engine, workers: zeebe.workers, routers: [], stop: () => zeebe.stop() };
  }
  const engine = new EmbeddedEngine({ db: db.knex, log, timerPollIntervalMs: config.timerPollIntervalMs });
  await deployBundledProcesses(engine, db.knex, log);
  await engine.start();
  const workers = withWorkers ? startInProcessWorkers({ engine, handlers, log: log.child({ component: 'workers' }), pollIntervalMs: config.jobPollIntervalMs }) : NO_WORKERS;
  const externalTasks = createExternalTaskService({ engine, log: log.child({ component: 'external-tasks' }) });
  return {
    engine,
    workers,
    routers: [{ path: '/engine-rest', router: externalTaskRoutes(externalTasks), auth: 'required' }],
    async stop() {
      externalTasks.close(); // answers the waiting long polls at once
      await workers.stop();
      await engine.stop();
    },
  };
}

export async function startEngine(deps: StartEngineDeps): Promise<RunningEngine> {
  const { db, config, log } = deps;
  const workerDeps = createWorkerDeps(db.knex, config, log);
  const { parameters, documents } = workerDeps;
  const handlers = createHandlers([...workers, ...(deps.extraWorkers ?? [])], workerDeps);
  const chosen = await startChosenEngine(deps, handlers);
  const { engine } = chosen;
  const background = [
    startTaskDeadlineMonitor({ db: db.knex, log: log.child({ component: 'task-deadlines' }) }),
    startRetirementAlertJob({ db: db.knex, parameters, log: log.child({ component: 'retirement-alerts' }) }),
    startReservationExpiry({ db: db.knex, log: log.child({ component: 'quota-reservations' }) }),
    startSnapshotJob({ db: db.knex, parameters, log: log.child({ component: 'stats-snapshots' }) }),
  ];
  const services = { db: db.knex, engine };
  const instances = createProcessInstanceService(services);
  return {
    engine,
    routers: [
      processDefinitionRoutes(createProcessDefinitionService(services)),
      modelingRoutes(createModelingService({ db: db.knex })),
      processInstanceRoutes(instances),
      taskRoutes(createTaskService(services)),
      historyRoutes(createHistoryService({ db: db.knex, definitions: engine.definitions, instances })),
      parameterRoutes(parameters),
      documentRoutes(documents),
      { path: '/', router: publicVerifyRoutes(documents), auth: 'public' },
      calcRoutes({ parameters }),
      calcRetirementRoutes({ parameters }),
      retirementAlertRoutes(createRetirementAlertService({ db: db.knex, parameters, engine })),
      unitRoutes(createUnitService({ db: db.knex })),
      personRoutes(createPersonService({ db: db.knex })),
      userAdminRoutes(createUserAdminService({ db: db.knex, config })),
      importRoutes(createImportService({ db: db.knex, log })),
      statsRoutes(createStatsService({ db: db.knex, parameters })),
      ...chosen.routers,
    ],
    idle: () => chosen.workers.idle(),
    async stop() {
      for (const job of background) await job.stop();
      await chosen.stop();
    },
  };
}

// Chooses and starts the engine the configuration names, with the in-process workers and the
// HTTP routes that sit on it.
import type { Router } from 'express';
import type { RouterMount } from '../app';
import { systemClock } from '../core/clock';
import type { Config } from '../core/config';
import { ConfigError } from '../core/config';
import type { Database } from '../core/db';
import type { Logger } from '../core/logger';
import { calcRoutes } from '../routes/calc';
import { calcRetirementRoutes } from '../routes/calc-retirement';
import { documentRoutes, publicVerifyRoutes } from '../routes/documents';
import { historyRoutes } from '../routes/history';
import { retirementAlertRoutes } from '../routes/retirement-alerts';
import { unitRoutes } from '../routes/units';
import { userAdminRoutes } from '../routes/users';
import { parameterRoutes } from '../routes/parameters';
import { processDefinitionRoutes } from '../routes/process-definitions';
import { processInstanceRoutes } from '../routes/process-instances';
import { taskRoutes } from '../routes/tasks';
import { createDocumentService } from '../services/documents';
import { createHistoryService } from '../services/history';
import { createParameterStore } from '../services/parameters';
import { startReservationExpiry } from '../services/quota-reservations';
import { createRetirementAlertService, startRetirementAlertJob } from '../services/retirement-alerts';
import { createUnitService } from '../services/units';
import { createUserAdminService } from '../services/users-admin';
import { createProcessDefinitionService } from '../services/process-definitions';
import { createProcessInstanceService } from '../services/process-instances';
import { startTaskDeadlineMonitor } from '../services/task-deadlines';
import { createTaskService } from '../services/tasks';
import { createHandlers, workers, type WorkerDefinition, type WorkerDeps } from '../../workers/registry';
import { startInProcessWorkers } from '../../workers/runtime/in-process';
import { deployBundledProcesses } from './bundled-processes';
import { EmbeddedEngine } from './embedded/embedded-engine';
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

export async function startEngine(deps: StartEngineDeps): Promise<RunningEngine> {
  const { db, config, log } = deps;
  if (config.engine !== 'embedded') {
    throw new ConfigError(
      'ENGINE',
      `ENGINE=${config.engine}: 本版本只包含嵌入式引擎，Zeebe 适配器尚未提供 / this build has the embedded engine only; the Zeebe adapter is not in it yet`,
    );
  }
  const engine = new EmbeddedEngine({ db: db.knex, log, timerPollIntervalMs: config.timerPollIntervalMs });
  await deployBundledProcesses(engine, log);
  await engine.start();
  const parameters = createParameterStore(db.knex);
  const documents = createDocumentService({
    db: db.knex,
    districtCode: config.districtCode,
    districtName: config.districtName,
    signingSecret: config.documentSigningSecret,
    publicBaseUrl: config.publicBaseUrl,
    log: log.child({ component: 'documents' }),
  });
  const workerDeps: WorkerDeps = { db: db.knex, clock: systemClock, parameters, documents };
  const handlers = createHandlers([...workers, ...(deps.extraWorkers ?? [])], workerDeps);
  const running = deps.inProcessWorkers === false
    ? { idle: () => Promise.resolve(), stop: () => Promise.resolve() }
    : startInProcessWorkers({ engine, handlers, log: log.child({ component: 'workers' }), pollIntervalMs: config.jobPollIntervalMs });
  const deadlines = startTaskDeadlineMonitor({ db: db.knex, log: log.child({ component: 'task-deadlines' }) });
  const alerts = startRetirementAlertJob({ db: db.knex, parameters, log: log.child({ component: 'retirement-alerts' }) });
  const reservations = startReservationExpiry({ db: db.knex, log: log.child({ component: 'quota-reservations' }) });
  const services = { db: db.knex, engine };
  const instances = createProcessInstanceService(services);
  return {
    engine,
    routers: [
      processDefinitionRoutes(createProcessDefinitionService(services)),
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
      userAdminRoutes(createUserAdminService({ db: db.knex, config })),
    ],
    idle: () => running.idle(),
    async stop() {
      await reservations.stop();
      await alerts.stop();
      await deadlines.stop();
      await running.stop();
      await engine.stop();
    },
  };
}

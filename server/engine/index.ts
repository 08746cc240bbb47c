// Chooses and starts the engine the configuration names, with the in-process workers and the
// HTTP routes that sit on it.
import type { Router } from 'express';
import type { Config } from '../core/config';
import { ConfigError } from '../core/config';
import type { Database } from '../core/db';
import type { Logger } from '../core/logger';
import { historyRoutes } from '../routes/history';
import { processDefinitionRoutes } from '../routes/process-definitions';
import { processInstanceRoutes } from '../routes/process-instances';
import { taskRoutes } from '../routes/tasks';
import { createHistoryService } from '../services/history';
import { createProcessDefinitionService } from '../services/process-definitions';
import { createProcessInstanceService } from '../services/process-instances';
import { startTaskDeadlineMonitor } from '../services/task-deadlines';
import { createTaskService } from '../services/tasks';
import { createHandlers, workers, type WorkerDefinition } from '../../workers/registry';
import { startInProcessWorkers } from '../../workers/runtime/in-process';
import { deployBundledProcesses } from './bundled-processes';
import { EmbeddedEngine } from './embedded/embedded-engine';
import type { WorkflowEngine } from './types';

export interface RunningEngine {
  engine: WorkflowEngine;
  routers: Router[];
  stop(): Promise<void>;
}

export async function startEngine(deps: { db: Database; config: Config; log: Logger; extraWorkers?: WorkerDefinition[] }): Promise<RunningEngine> {
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
  const running = startInProcessWorkers({ engine, handlers: createHandlers([...workers, ...(deps.extraWorkers ?? [])], {}), log: log.child({ component: 'workers' }), pollIntervalMs: config.jobPollIntervalMs });
  const deadlines = startTaskDeadlineMonitor({ db: db.knex, log: log.child({ component: 'task-deadlines' }) });
  const services = { db: db.knex, engine };
  const instances = createProcessInstanceService(services);
  return {
    engine,
    routers: [
      processDefinitionRoutes(createProcessDefinitionService(services)),
      processInstanceRoutes(instances),
      taskRoutes(createTaskService(services)),
      historyRoutes(createHistoryService({ db: db.knex, definitions: engine.definitions, instances })),
    ],
    async stop() {
      await deadlines.stop();
      await running.stop();
      await engine.stop();
    },
  };
}

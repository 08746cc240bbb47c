// ENGINE=zeebe: the clients from config, the engine (bundled diagrams and forms deployed, the
// user-task sync started) and the Zeebe job workers for the registered handlers.
import type { Knex } from 'knex';
import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { JobHandler } from '../../../workers/job';
import type { RunningWorkers } from '../../../workers/runtime/in-process';
import { startZeebeWorkers } from '../../../workers/runtime/zeebe';
import { deployBundledProcesses } from '../bundled-processes';
import { createCamundaClients } from './clients';
import { ZeebeEngine } from './zeebe-engine';

export interface RunningZeebe {
  engine: ZeebeEngine;
  workers: RunningWorkers;
  stop(): Promise<void>;
}

export async function startZeebe(deps: { db: Knex; config: Config; log: Logger; handlers: Map<string, JobHandler<any>>; workers: boolean }): Promise<RunningZeebe> {
  const { db, config, log } = deps;
  const clients = createCamundaClients(config);
  const engine = new ZeebeEngine({ db, log, grpc: clients.grpc, rest: clients.rest, taskPollIntervalMs: config.zeebeTaskPollIntervalMs });
  try {
    await deployBundledProcesses(engine, db, log);
  } catch (err) {
    await clients.close();
    throw err;
  }
  await engine.start();
  const workers: RunningWorkers = deps.workers
    ? startZeebeWorkers({ grpc: clients.grpc, db, handlers: deps.handlers, log: log.child({ component: 'zeebe-workers' }) })
    : { idle: () => Promise.resolve(), stop: () => Promise.resolve() };
  return {
    engine,
    workers,
    async stop() {
      await workers.stop();
      await engine.stop();
      await clients.close();
    },
  };
}

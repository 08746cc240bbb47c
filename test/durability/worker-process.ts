// A worker process for the crash test: an embedded engine on the test's database, used only to run
// the durability handlers (no timer or command loops). The test SIGKILLs it while a handler works.
//   node --import tsx test/durability/worker-process.ts <databaseUrl> <workerName> <jobTimeoutMs>
// Prints `ready` once it polls and `started <jobKey>` when a handler begins a run.
import { openDatabase } from '../../server/core/db';
import { createLogger, createSilentLogger } from '../../server/core/logger';
import { EmbeddedEngine } from '../../server/engine/embedded/embedded-engine';
import { startInProcessWorkers } from '../../workers/runtime/in-process';
import { createDurabilityHandlers } from './workers';

async function main(databaseUrl: string, worker: string, jobTimeoutMs: number): Promise<void> {
  const db = await openDatabase({ databaseUrl, dataDir: '', dbPoolMax: 6 }, createSilentLogger());
  const log = createLogger({ logLevel: 'warn' }, process.stderr);
  const engine = new EmbeddedEngine({ db: db.knex, log, timerPollIntervalMs: 60_000 });
  const handlers = createDurabilityHandlers({
    knex: db.knex,
    worker,
    workMs: () => 100 + Math.floor(Math.random() * 200),
    onStart: (jobKey) => process.stdout.write(`started ${jobKey}\n`),
  });
  startInProcessWorkers({ engine, handlers, log, workerName: worker, maxConcurrent: 4, pollIntervalMs: 50, jobTimeoutMs });
  process.stdout.write('ready\n');
}

const [databaseUrl, worker, timeout] = process.argv.slice(2);
main(databaseUrl, worker, Number(timeout)).catch((err: unknown) => {
  process.stderr.write(`worker process failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

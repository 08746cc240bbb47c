// A worker process for the kill test: the real client with a handler for `test.check` that says
// which task it works on and then never finishes — until the test SIGKILLs the process.
// Usage: node --import tsx test/external-tasks/stuck-worker.ts <engine-rest URL> <workerId> <lockDurationMs>
import { createLogger } from '../../server/core/logger';
import type { JobHandler } from '../../workers/job';
import { startExternalTaskWorkers } from '../../workers/runtime/external-task';

const [baseUrl, workerId, lockDuration] = process.argv.slice(2);
const stuck: JobHandler = async (job) => {
  process.stdout.write(`HANDLING ${job.key}\n`);
  return new Promise(() => {});
};
startExternalTaskWorkers({
  baseUrl,
  username: 'worker',
  password: 'demo',
  workerId,
  handlers: new Map([['test.check', stuck]]),
  log: createLogger({ logLevel: 'warn' }),
  lockDurationMs: Number(lockDuration),
  asyncResponseTimeoutMs: 5000,
});

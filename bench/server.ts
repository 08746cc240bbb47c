// The real server (server/server.ts) with the benchmark's job types done by in-process workers.
import { exitOnStartFailure, runServer } from '../server/server';
import { complete } from '../workers/job';
import type { WorkerDefinition } from '../workers/registry';

export const BENCH_JOB_TYPES = ['bench.step', 'bench.a', 'bench.b', 'bench.c', 'bench.d', 'bench.e'];

const benchWorkers: WorkerDefinition[] = BENCH_JOB_TYPES.map((jobType) => ({
  jobType,
  createHandler: () => async () => complete({ [`${jobType.replace('.', '_')}_done`]: true }),
}));

runServer({ extraWorkers: benchWorkers }).catch(exitOnStartFailure);

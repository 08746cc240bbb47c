// A fake activated job for calling a handler alone (STYLE.md: handlers are tested with fake jobs).
import { randomUUID } from 'node:crypto';
import { createSilentLogger } from '../../server/core/logger';
import type { Job, Variables } from '../../workers/job';

export function fakeJob<In = Variables>(variables: In, overrides: Partial<Omit<Job<In>, 'variables'>> = {}): Job<In> {
  return {
    key: randomUUID(),
    type: 'test',
    instanceId: randomUUID(),
    processId: 'test-process',
    elementId: 'Task_Test',
    retries: 3,
    customHeaders: {},
    log: createSilentLogger(),
    ...overrides,
    variables,
  };
}

// Runs fixture diagrams on the real embedded engine and a real database, with a clock the test moves.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { createSilentLogger } from '../../server/core/logger';
import { EmbeddedEngine } from '../../server/engine/embedded/embedded-engine';
import type { ActivatedJob, Actor, Variables } from '../../server/engine/types';
import { getTestDatabase } from '../support/db';

export const tester: Actor = { kind: 'user', id: 'tester' };
export const testWorker: Actor = { kind: 'worker', id: 'test-worker' };

export function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8');
}

export interface EngineHarness {
  db: Knex;
  engine: EmbeddedEngine;
  clock: { now: Date; advance(ms: number): void };
  deploy(...fixtures: string[]): Promise<void>;
  /** activates the open jobs of a type and hands each to `handle` */
  jobs(type: string): Promise<ActivatedJob[]>;
  completeJobs(type: string, output?: (job: ActivatedJob) => Variables): Promise<ActivatedJob[]>;
  openTasks(instanceId: string): Promise<any[]>;
  instance(instanceId: string): Promise<any>;
  elementsCompleted(instanceId: string): Promise<string[]>;
  auditKinds(instanceId: string): Promise<string[]>;
  /** removes every instance and its rows (definitions and the append-only audit log stay) */
  resetRuntime(): Promise<void>;
}

export async function createEngineHarness(): Promise<EngineHarness> {
  const { knex: db } = await getTestDatabase();
  const clock = {
    now: new Date(),
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const engine = new EmbeddedEngine({ db, log: createSilentLogger(), timerPollIntervalMs: 60_000, now: () => clock.now });
  const harness: EngineHarness = {
    db,
    engine,
    clock,
    async deploy(...names) {
      await engine.deploy(
        names.map((name) => ({ name, content: fixture(name) })),
        tester,
      );
    },
    jobs: (type) => engine.activateJobs({ types: [type], worker: 'test-worker', maxJobs: 100, timeoutMs: 60_000 }),
    async completeJobs(type, output = () => ({})) {
      const jobs = await harness.jobs(type);
      for (const job of jobs) await engine.completeJob(job.key, output(job), testWorker);
      return jobs;
    },
    openTasks: (instanceId) => db('user_tasks').where({ instance_id: instanceId, state: 'created' }).orderBy('created_at'),
    instance: (instanceId) => db('process_instances').where({ id: instanceId }).first(),
    async elementsCompleted(instanceId) {
      const rows = await db('audit_events').select('element_id').where({ instance_id: instanceId, kind: 'element.completed' }).orderBy('seq');
      return rows.map((r: { element_id: string }) => r.element_id);
    },
    async resetRuntime() {
      for (const table of ['engine_commands', 'incidents', 'message_subscriptions', 'messages', 'timers', 'user_tasks', 'jobs']) await db(table).delete();
      await db('process_instances').whereNotNull('parent_instance_id').delete();
      await db('process_instances').delete();
    },
    async auditKinds(instanceId) {
      const rows = await db('audit_events').select('kind').where({ instance_id: instanceId }).orderBy('seq');
      return rows.map((r: { kind: string }) => r.kind);
    },
  };
  return harness;
}

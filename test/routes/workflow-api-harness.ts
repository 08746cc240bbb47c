// The workflow HTTP API on the real embedded engine (startEngine's routers) and the shared test
// database, with the demo district seeded (users with password 'demo'). Shared by the workflow
// route tests: process-definitions, process-instances, tasks and workflow-api.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import supertest from 'supertest';
import { createSilentLogger } from '../../server/core/logger';
import { DEMO_PASSWORD } from '../../server/demo/district';
import { seedDemo } from '../../server/demo/seed';
import { startEngine, type RunningEngine } from '../../server/engine/index';
import { createTestApp, testConfig, tokenFor, type TestApp } from '../support/app';
import { getTestDatabase, resetDatabase } from '../support/db';

export function fixture(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)));
}

export interface WorkflowApi {
  t: TestApp;
  running: RunningEngine;
  /** `Authorization` header of a user (demo users by default; tokens are cached per run) */
  as(username: string, password?: string): Promise<{ Authorization: string }>;
  /** POST /api/deployments as policy-editor with the named fixtures; asserts 201 */
  deploy(...fixtures: string[]): Promise<supertest.Response>;
  /** unit id of a demo unit code ('U001') */
  unitId(code: string): Promise<string>;
  /** removes every instance and its runtime rows; definitions, users and the audit log stay */
  resetRuntime(): Promise<void>;
  /** the last audit event's seq (0 for an empty log) */
  auditHeadSeq(): Promise<number>;
  /** the audit events people caused after `seq` (background jobs — snapshots, alerts — may append their own meanwhile) */
  userEventsAfter(seq: number): Promise<Array<{ kind: string; actor: string; payload: any }>>;
  stop(): Promise<void>;
}

export async function startWorkflowApi(): Promise<WorkflowApi> {
  const db = await getTestDatabase();
  await resetDatabase(db.knex);
  const log = createSilentLogger();
  await seedDemo(db.knex, log);
  const running = await startEngine({ db, config: testConfig(), log });
  const t = await createTestApp({ db, log, routers: running.routers });
  const tokens = new Map<string, string>();
  const api: WorkflowApi = {
    t,
    running,
    async as(username, password = DEMO_PASSWORD) {
      let token = tokens.get(username);
      if (token === undefined) {
        token = await tokenFor(t.app, username, password);
        tokens.set(username, token);
      }
      return { Authorization: `Bearer ${token}` };
    },
    async deploy(...names) {
      let req = supertest(t.app).post('/api/deployments').set(await api.as('policy-editor'));
      for (const name of names) req = req.attach('resources', fixture(name), name);
      const res = await req;
      if (res.status !== 201) throw new Error(`deploy of ${names.join(', ')} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res;
    },
    async unitId(code) {
      const row = (await db.knex('units').where({ code }).first('id')) as { id: string } | undefined;
      if (!row) throw new Error(`no demo unit ${code}`);
      return row.id;
    },
    async resetRuntime() {
      for (const table of ['engine_commands', 'incidents', 'message_subscriptions', 'timers', 'user_tasks', 'jobs']) await db.knex(table).delete();
      await db.knex('process_instances').whereNotNull('parent_instance_id').delete();
      await db.knex('process_instances').delete();
    },
    auditHeadSeq: async () => Number((await db.knex('audit_events').max('seq as seq').first())?.seq ?? 0),
    userEventsAfter: async (seq) => db.knex('audit_events').where('seq', '>', seq).where('actor', 'like', 'user:%').orderBy('seq'),
    stop: () => running.stop(),
  };
  return api;
}

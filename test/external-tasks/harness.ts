// A server listening on a port with the engine WITHOUT in-process workers and the external-task API
// at /engine-rest, on the shared test database with the demo district; a driver for the real
// processes/*.bpmn that works the user tasks through the HTTP API (as test/processes/harness.ts does)
// but waits for external workers instead of the in-process ones.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import supertest from 'supertest';
import type { RouterMount } from '../../server/app';
import { systemClock } from '../../server/core/clock';
import { createSilentLogger, type Logger } from '../../server/core/logger';
import { DEMO_PASSWORD } from '../../server/demo/district';
import { seedDemo } from '../../server/demo/seed';
import { startEngine, type RunningEngine } from '../../server/engine/index';
import type { Actor } from '../../server/engine/types';
import { externalTaskRoutes } from '../../server/routes/external-tasks';
import { createDocumentService } from '../../server/services/documents';
import { createExternalTaskService, type ExternalTaskService } from '../../server/services/external-tasks';
import { createParameterStore } from '../../server/services/parameters';
import { createHandlers, workers } from '../../workers/registry';
import type { JobHandler } from '../../workers/job';
import { createTestApp, testConfig, tokenFor, type TestApp } from '../support/app';
import { getTestDatabase, resetDatabase } from '../support/db';
import { runZ1SentBackThenRegistered, Z1_APPLICATION } from '../processes/harness';

export const WORKER_USER = 'worker';
export const POLICY_EDITOR: Actor = { kind: 'user', id: 'policy-editor' };

export interface ExternalTaskServer {
  t: TestApp;
  running: RunningEngine;
  tasks: ExternalTaskService;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** <baseUrl>/engine-rest */
  engineRest: string;
  /** Authorization header: Basic for a password, Bearer (session) for a user */
  basic(username: string, password?: string): { Authorization: string };
  bearer(username: string, password?: string): Promise<{ Authorization: string }>;
  unitId(code: string): Promise<string>;
  /** the handlers of workers/registry.ts with the test database behind them */
  handlers(): Map<string, JobHandler<any>>;
  stop(): Promise<void>;
}

export async function startExternalTaskServer(): Promise<ExternalTaskServer> {
  const db = await getTestDatabase();
  await resetDatabase(db.knex);
  const log = createSilentLogger();
  await seedDemo(db.knex, log);
  const config = testConfig();
  const running = await startEngine({ db, config, log, inProcessWorkers: false });
  const tasks = createExternalTaskService({ engine: running.engine, log, recheckIntervalMs: 200 });
  const mounted = running.routers.some((r) => 'path' in r && (r as RouterMount).path === '/engine-rest');
  const routers: Array<Router | RouterMount> = mounted ? running.routers : [...running.routers, { path: '/engine-rest', router: externalTaskRoutes(tasks), auth: 'required' }];
  const t = await createTestApp({ db, log, routers });
  const server: Server = createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokens = new Map<string, string>();
  return {
    t,
    running,
    tasks,
    baseUrl,
    engineRest: `${baseUrl}/engine-rest`,
    basic: (username, password = DEMO_PASSWORD) => ({ Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` }),
    async bearer(username, password = DEMO_PASSWORD) {
      let token = tokens.get(username);
      if (token === undefined) tokens.set(username, (token = await tokenFor(t.app, username, password)));
      return { Authorization: `Bearer ${token}` };
    },
    async unitId(code) {
      const row = (await db.knex('units').where({ code }).first('id')) as { id: string } | undefined;
      if (!row) throw new Error(`no demo unit ${code}`);
      return row.id;
    },
    handlers: () => createHandlers(workers, workerDepsFor(t, log)),
    async stop() {
      tasks.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await running.stop();
    },
  };
}

function workerDepsFor(t: TestApp, log: Logger) {
  const parameters = createParameterStore(t.db.knex);
  const documents = createDocumentService({
    db: t.db.knex,
    districtCode: t.config.districtCode,
    districtName: t.config.districtName,
    signingSecret: t.config.documentSigningSecret,
    publicBaseUrl: t.config.publicBaseUrl,
    log,
  });
  return { db: t.db.knex, clock: systemClock, parameters, documents };
}

/** POST to the external-task API with Basic auth as the demo worker; the raw response. */
export async function engineRest(s: ExternalTaskServer, path: string, body?: unknown, auth = s.basic(WORKER_USER), signal?: AbortSignal): Promise<{ status: number; contentType: string | null; body: any }> {
  const res = await fetch(`${s.engineRest}${path}`, {
    method: 'POST',
    headers: { ...auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` answers; fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(50);
  }
}

/** The departments' side of a case: start it, and complete each user task once it is open. */
export function caseDriver(s: ExternalTaskServer) {
  const db = s.t.db.knex;
  const incidents = (instanceId: string) => db('incidents').where({ instance_id: instanceId, state: 'active' }).select('element_id', 'error_message');
  return {
    async start(processKey: string, username: string, variables: Record<string, unknown>): Promise<string> {
      const res = await supertest(s.t.app).post('/api/process-instances').set(await s.bearer(username)).send({ processKey, variables });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.data.id as string;
    },
    async complete(instanceId: string, elementId: string, username: string, variables: Record<string, unknown> = {}): Promise<void> {
      const task = await eventually(`user task ${elementId}`, async () => {
        const open = await incidents(instanceId);
        if (open.length) throw new Error(`incident while waiting for ${elementId}: ${JSON.stringify(open)}`);
        return (await db('user_tasks').where({ instance_id: instanceId, element_id: elementId, state: 'created' }).first('id')) as { id: string } | undefined;
      });
      const auth = await s.bearer(username);
      const claim = await supertest(s.t.app).post(`/api/tasks/${task.id}/claim`).set(auth);
      assert.equal(claim.status, 200, `claim ${elementId} as ${username}: ${JSON.stringify(claim.body)}`);
      const done = await supertest(s.t.app).post(`/api/tasks/${task.id}/complete`).set(auth).send({ variables });
      assert.equal(done.status, 204, `complete ${elementId} as ${username}: ${JSON.stringify(done.body)}`);
    },
    /** waits until the instance has ended (or has an incident) */
    async ended(instanceId: string): Promise<{ state: string; variables: Record<string, unknown> }> {
      return eventually(`instance ${instanceId} to end`, async () => {
        const row = await db('process_instances').where({ id: instanceId }).first('state', 'variables');
        const open = await incidents(instanceId);
        if (open.length) throw new Error(`incident: ${JSON.stringify(open)}`);
        return row.state === 'active' ? undefined : row;
      });
    },
  };
}

export { Z1_APPLICATION };

/** Runs a Z1 case that 编办 sends back once, then registers; the jobs are the external workers'. */
export async function runZ1(s: ExternalTaskServer, unitCode: string, person: Record<string, unknown>): Promise<string> {
  return runZ1SentBackThenRegistered(caseDriver(s), await s.unitId(unitCode), unitCode, person);
}

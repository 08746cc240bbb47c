// The authorization matrix: every role over every operation of the OpenAPI document. Each
// operation's action is read off its route (requirePermission tags its guard); the expected answer
// comes from the policy table alone: allowed → neither 401 nor 403; refused → 403 FORBIDDEN and an
// `access.denied` audit event naming the action. Without credentials every protected operation is 401.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import supertest from 'supertest';
import type { AuthUser } from '../../server/core/auth-user';
import { can, type Action } from '../../server/core/policy';
import { sessionRoutes } from '../../server/routes/session';
import { createTestUser, tokenFor } from '../support/app';
import { startWorkflowApi, type WorkflowApi } from '../routes/workflow-api-harness';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Method = (typeof METHODS)[number];
type Decision = { kind: 'public' } | { kind: 'authenticated' } | { kind: 'action'; action: Action };

/** One user per role, each holding only that role. */
const ROLE_USERS = [
  { role: 'unit-clerk', departmentId: 'unit', unitCode: 'U003' },
  { role: 'supervisor-clerk', departmentId: 'unit', unitCode: 'U002' },
  { role: 'clerk', departmentId: 'bianban' },
  { role: 'leader', departmentId: 'bianban' },
  { role: 'policy-editor', departmentId: 'bianban' },
  { role: 'auditor', departmentId: null },
  { role: 'admin', departmentId: null },
  { role: 'worker', departmentId: null },
] as const;
const PASSWORD = 'matrix-pass-2026';
const NIL = '00000000-0000-4000-8000-000000000000';

/** The path prefixes the matrix walks: the API and the Camunda-7 external-task API. */
const PREFIXES = ['/api/', '/engine-rest/'];

/** (method, '/api/…/{id}' or '/engine-rest/…') → the action its route's guard names; each router with the path it is mounted at. */
function routeActions(mounts: Array<{ path: string; router: Router }>): Map<string, Action> {
  const actions = new Map<string, Action>();
  for (const { path: mountPath, router } of mounts) {
    for (const layer of router.stack as Array<{ route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: { permission?: Action } }> } }>) {
      if (!layer.route) continue;
      const permission = layer.route.stack.map((l) => l.handle.permission).find((p) => p !== undefined);
      if (!permission) continue;
      const path = `${mountPath === '/' ? '' : mountPath}${layer.route.path.replace(/:(\w+)/g, '{$1}')}`;
      for (const method of Object.keys(layer.route.methods)) actions.set(`${method} ${path}`, permission);
    }
  }
  return actions;
}

describe('authorization matrix: every role × every API operation', () => {
  let w: WorkflowApi;
  let server: Server;
  let base: string;
  const users = new Map<string, { user: AuthUser; token: string }>();
  let operations: Array<{ method: Method; path: string; decision: Decision }>;

  before(async () => {
    w = await startWorkflowApi();
    const unitIds = new Map<string, string>();
    for (const code of ['U002', 'U003']) unitIds.set(code, await w.unitId(code));
    for (const spec of ROLE_USERS) {
      const username = `matrix-${spec.role}`;
      const user = await createTestUser(w.t.services, {
        username,
        password: PASSWORD,
        roles: [spec.role],
        departmentId: spec.departmentId,
        unitId: 'unitCode' in spec ? unitIds.get(spec.unitCode)! : null,
      });
      users.set(spec.role, { user, token: await tokenFor(w.t.app, username, PASSWORD) });
    }
    const doc = (await supertest(w.t.app).get('/api/openapi.json')).body as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const mounts = w.running.routers.map((r) => ('auth' in r && 'path' in r ? { path: r.path, router: r.router as Router } : { path: '/api', router: r as Router }));
    const actions = routeActions([...mounts, { path: '/api', router: sessionRoutes(w.t.services.auth) }]);
    operations = [];
    const undecided: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!PREFIXES.some((prefix) => path.startsWith(prefix))) continue;
      for (const method of METHODS.filter((m) => item[m])) {
        const action = actions.get(`${method} ${path}`);
        const op = item[method]!;
        let decision: Decision | undefined;
        if (action) decision = { kind: 'action', action };
        else if (Array.isArray(op.security) && op.security.length === 0) decision = { kind: 'public' };
        else if (method === 'delete' && path === '/api/session') decision = { kind: 'authenticated' };
        if (decision) operations.push({ method, path, decision });
        else if (!(await unrouted(method, path))) undecided.push(`${method.toUpperCase()} ${path}`);
      }
    }
    // every documented operation is guarded by an action of the policy table, or is public by design
    assert.deepEqual(undecided, []);
    server = createServer(w.t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await w?.stop();
  });

  /** A path some other test registered in the (process-wide) OpenAPI document, which no router of this app serves. */
  async function unrouted(method: Method, path: string): Promise<boolean> {
    const admin = users.get('admin')!.token;
    const res = await (supertest(w.t.app) as any)[method](urlOf(path)).set('Authorization', `Bearer ${admin}`);
    return res.status === 404 && res.body?.error?.message === '接口不存在';
  }

  const urlOf = (path: string) => path.replace('{key}', 'api-review').replace(/\{\w+\}/g, NIL);

  /** One request; an event stream is cut as soon as its status is known. */
  async function call(method: Method, path: string, token: string | undefined): Promise<{ status: number; code?: string }> {
    const abort = new AbortController();
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(`${base}${urlOf(path)}`, { method: method.toUpperCase(), headers, body: method === 'get' ? undefined : '{}', signal: abort.signal });
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      abort.abort();
      return { status: res.status };
    }
    const text = await res.text();
    const body = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
    // /engine-rest answers as Camunda 7 does: { type, message }, a refusal being an AuthorizationException
    const code = body?.error?.code ?? (body?.type === 'AuthorizationException' ? 'FORBIDDEN' : body?.type);
    return { status: res.status, code };
  }

  it('covers the workflow, inbox, notification, session and external-task operations', () => {
    const names = new Set(operations.map((o) => `${o.method} ${o.path}`));
    for (const expected of ['get /api/tasks', 'post /api/tasks/{id}/assign', 'get /api/tasks/stream', 'get /api/notifications', 'post /api/process-instances', 'post /api/deployments', 'get /api/me', 'post /engine-rest/external-task/fetchAndLock', 'post /engine-rest/external-task/{id}/complete']) {
      assert.ok(names.has(expected), expected);
    }
  });

  it('answers every role as the policy table says, and records every refusal', async () => {
    const mismatches: string[] = [];
    let refusals = 0;
    for (const [role, { user, token }] of users) {
      for (const { method, path, decision } of operations) {
        if (method === 'delete' && path === '/api/session') continue; // would end the session: checked below
        const allowed = decision.kind !== 'action' || can(user, decision.action);
        const before = decision.kind === 'action' ? await deniedCount(user.username, decision.action) : 0;
        const res = await call(method, path, token);
        const label = `${role} ${method.toUpperCase()} ${path}: ${res.status} ${res.code ?? ''}`;
        if (allowed && (res.status === 401 || res.status === 403 || res.status >= 500)) mismatches.push(`${label} (expected allowed)`);
        if (!allowed) {
          refusals += 1;
          if (res.status !== 403 || res.code !== 'FORBIDDEN') mismatches.push(`${label} (expected 403 FORBIDDEN)`);
          else if ((await deniedCount(user.username, (decision as { action: Action }).action)) !== before + 1) mismatches.push(`${label} (refusal not in the audit log)`);
        }
      }
    }
    assert.deepEqual(mismatches, []);
    assert.ok(refusals > 50, `a matrix with real refusals (${refusals})`);
    console.log(`      ${users.size} roles × ${operations.length} operations, ${refusals} refusals`);
  });

  it('answers 401 to every protected operation without credentials, and serves the public ones', async () => {
    const wrong: string[] = [];
    for (const { method, path, decision } of operations) {
      const res = await call(method, path, undefined);
      if (decision.kind === 'public' ? res.status === 401 : res.status !== 401) wrong.push(`${method.toUpperCase()} ${path}: ${res.status}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('lets every role end its own session', async () => {
    for (const { role } of ROLE_USERS) {
      const token = await tokenFor(w.t.app, `matrix-${role}`, PASSWORD);
      assert.equal((await call('delete', '/api/session', token)).status, 204, role);
      assert.equal((await call('get', '/api/me', token)).status, 401, role);
    }
  });

  async function deniedCount(username: string, action: Action): Promise<number> {
    const [{ count }] = await w.t.db
      .knex('audit_events')
      .where({ kind: 'access.denied', actor: `user:${username}` })
      .whereRaw(`payload->>'action' = ?`, [action])
      .count<{ count: string }[]>('* as count');
    return Number(count);
  }
});

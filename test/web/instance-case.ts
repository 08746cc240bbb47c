// Drives a case on a running server (the browser tests' demo server) the way the departments would,
// through the HTTP API alone: a bearer token per demo user from POST /api/session, each user task
// found in that user's inbox once it is open, claimed and completed. It is the `CaseDriver` of
// test/processes/harness.ts for a remote server, so the scenario helpers there run on it unchanged.
import assert from 'node:assert/strict';
import type { CaseDriver } from '../processes/harness';
import { DEMO_PASSWORD } from './browser';

const WAIT_MS = 30_000;

export interface RemoteApi {
  token(username: string): Promise<string>;
  call<T = unknown>(username: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: { data?: T; error?: unknown } }>;
  /** `data` of a successful call; fails the test with the server's answer otherwise */
  data<T = unknown>(username: string, method: string, path: string, body?: unknown): Promise<T>;
}

export function remoteApi(baseUrl: string): RemoteApi {
  const tokens = new Map<string, string>();
  const api: RemoteApi = {
    async token(username) {
      const known = tokens.get(username);
      if (known) return known;
      const res = await fetch(`${baseUrl}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
      const body = (await res.json()) as { data?: { token: string } };
      assert.ok(res.ok && body.data, `login as ${username}: ${JSON.stringify(body)}`);
      tokens.set(username, body.data!.token);
      return body.data!.token;
    },
    async call(username, method, path, body) {
      const headers: Record<string, string> = { Authorization: `Bearer ${await api.token(username)}`, Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : {} };
    },
    async data(username, method, path, body) {
      const res = await api.call(username, method, path, body);
      assert.ok(res.status >= 200 && res.status < 300, `${method} ${path} as ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.data as never;
    },
  };
  return api;
}

interface OpenTask {
  id: string;
  instanceId: string;
  elementId: string;
}

/** A CaseDriver over HTTP: the workers run inside the server, so a step waits until its task opens. */
export function remoteCaseDriver(api: RemoteApi): CaseDriver {
  async function openTask(username: string, instanceId: string, elementId: string): Promise<OpenTask> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const tasks = await api.data<OpenTask[]>(username, 'GET', '/api/tasks?state=created&pageSize=200');
      const task = tasks.find((t) => t.instanceId === instanceId && t.elementId === elementId);
      if (task) return task;
      const instance = await api.data<{ state: string; openElements: unknown[]; incidents: Array<{ state: string; errorMessage: string }> }>(username, 'GET', `/api/process-instances/${instanceId}`);
      const incidents = instance.incidents.filter((i) => i.state === 'active');
      if (incidents.length) throw new Error(`incident while waiting for ${elementId}: ${JSON.stringify(incidents)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${elementId} in ${username}'s inbox: instance ${instance.state}, open ${JSON.stringify(instance.openElements)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  return {
    async start(processKey, username, variables) {
      const started = await api.data<{ id: string }>(username, 'POST', '/api/process-instances', { processKey, variables });
      return started.id;
    },
    async complete(instanceId, elementId, username, variables = {}) {
      const task = await openTask(username, instanceId, elementId);
      await api.data(username, 'POST', `/api/tasks/${task.id}/claim`);
      const done = await api.call(username, 'POST', `/api/tasks/${task.id}/complete`, { variables });
      assert.equal(done.status, 204, `complete ${elementId} as ${username}: ${JSON.stringify(done.body)}`);
    },
  };
}

/** The id of a demo unit by its code (U001…). */
export async function unitIdOf(api: RemoteApi, username: string, code: string): Promise<string> {
  const units = await api.data<Array<{ id: string; code: string }>>(username, 'GET', '/api/units?pageSize=200');
  const unit = units.find((u) => u.code === code);
  assert.ok(unit, `demo unit ${code}`);
  return unit.id;
}

/** Waits until the instance has ended (its workers run on after the last task is completed). */
export async function waitUntilEnded(api: RemoteApi, username: string, instanceId: string): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const { state } = await api.data<{ state: string }>(username, 'GET', `/api/process-instances/${instanceId}`);
    if (state !== 'active') return state;
    if (Date.now() > deadline) throw new Error(`instance ${instanceId} still active after ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

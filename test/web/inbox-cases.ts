// Drives a case through the real server's HTTP API as the departments' demo users would — the steps
// a browser test does not look at — behind the scenario tests' CaseDriver interface.
import { strict as assert } from 'node:assert';
import { Api, waitUntil } from '../durability/harness';
import type { CaseDriver } from '../processes/harness';

const WAIT_MS = 30_000;

export interface HttpCaseDriver extends CaseDriver {
  api: Api;
  /** the session token of a demo user (logged in once) */
  token(username: string): Promise<string>;
  /** waits until the instance has an open task at `elementId` that `username` can see; returns its id */
  openTask(instanceId: string, elementId: string, username: string): Promise<string>;
}

export function httpCaseDriver(baseUrl: string): HttpCaseDriver {
  const api = new Api(baseUrl);
  const tokens = new Map<string, Promise<string>>();
  const token = (username: string) => {
    let t = tokens.get(username);
    if (!t) tokens.set(username, (t = api.login(username)));
    return t;
  };

  const driver: HttpCaseDriver = {
    api,
    token,
    async start(processKey, username, variables) {
      const res = await api.call('POST', '/api/process-instances', { token: await token(username), body: { processKey, variables } });
      assert.equal(res.status, 201, `start ${processKey} as ${username}: ${JSON.stringify(res.body)}`);
      return res.body.data.id as string;
    },
    async openTask(instanceId, elementId, username) {
      const auth = await token(username);
      return waitUntil(`task ${elementId} of ${instanceId} for ${username}`, WAIT_MS, async () => {
        const res = await api.call('GET', '/api/tasks?pageSize=200', { token: auth });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const task = (res.body.data as Array<{ id: string; instanceId: string; elementId: string }>).find((t) => t.instanceId === instanceId && t.elementId === elementId);
        return task?.id;
      }, 100);
    },
    async complete(instanceId, elementId, username, variables = {}) {
      const id = await driver.openTask(instanceId, elementId, username);
      const auth = await token(username);
      const claim = await api.call('POST', `/api/tasks/${id}/claim`, { token: auth });
      assert.equal(claim.status, 200, `claim ${elementId} as ${username}: ${JSON.stringify(claim.body)}`);
      const done = await api.call('POST', `/api/tasks/${id}/complete`, { token: auth, body: { variables } });
      assert.equal(done.status, 204, `complete ${elementId} as ${username}: ${JSON.stringify(done.body)}`);
    },
  };
  return driver;
}

// Helpers for the inbox tests: cases of the fixture process inbox-task, whose one user task takes its
// candidate groups, due time and priority from the start variables (groups, dueAt, priority).
import assert from 'node:assert/strict';
import supertest from 'supertest';
import type { WorkflowApi } from './workflow-api-harness';

export interface CaseInput {
  groups: string[];
  unitId?: string;
  dueAt?: string;
  priority?: number;
  personName?: string;
  idNumber?: string;
  businessKey?: string;
  [name: string]: unknown;
}

/** Starts a case as an admin-like department user and returns its instance id and open task id. */
export async function startCase(w: WorkflowApi, input: CaseInput, as = 'bianban-clerk'): Promise<{ instanceId: string; taskId: string }> {
  const { businessKey, ...variables } = input;
  const res = await supertest(w.t.app)
    .post('/api/process-instances')
    .set(await w.as(as))
    .send({ processKey: 'inbox-task', ...(businessKey ? { businessKey } : {}), variables });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const instanceId = res.body.data.id as string;
  const task = await w.t.db.knex('user_tasks').where({ instance_id: instanceId, state: 'created' }).first('id');
  assert.ok(task, 'the case has an open task');
  return { instanceId, taskId: task.id as string };
}

export function api(w: WorkflowApi) {
  const call = async (method: 'get' | 'post', username: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    let req = supertest(w.t.app)[method](url).set(await w.as(username)).set(headers);
    if (body !== undefined) req = req.send(body as object);
    return req;
  };
  return {
    list: (username: string, query = '') => call('get', username, `/api/tasks${query}`),
    get: (username: string, id: string) => call('get', username, `/api/tasks/${id}`),
    claim: (username: string, id: string) => call('post', username, `/api/tasks/${id}/claim`),
    unclaim: (username: string, id: string) => call('post', username, `/api/tasks/${id}/unclaim`),
    assign: (username: string, id: string, assignee: string) => call('post', username, `/api/tasks/${id}/assign`, { assignee }),
    delegate: (username: string, id: string, assignee: string) => call('post', username, `/api/tasks/${id}/delegate`, { assignee }),
    giveBack: (username: string, id: string, comment?: string) => call('post', username, `/api/tasks/${id}/return`, comment === undefined ? {} : { comment }),
    complete: (username: string, id: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) =>
      call('post', username, `/api/tasks/${id}/complete`, { variables }, headers),
    notifications: (username: string, query = '') => call('get', username, `/api/notifications${query}`),
    call,
  };
}

/** Audit events of a kind, newest last. */
export async function auditOf(w: WorkflowApi, kind: string, where: Record<string, unknown> = {}): Promise<Array<{ actor: string; kind: string; instance_id: string | null; payload: any }>> {
  return w.t.db.knex('audit_events').where({ kind, ...where }).orderBy('seq');
}

/** A valid person for the form inbox-person (ID numbers from domain-spec §7.1). */
export const PERSON = { personName: '张三', idNumber: '11010519491231002X' } as const;
export const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
export const DAY = 24 * 3600_000;

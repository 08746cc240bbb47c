// The Camunda 8 REST v2 endpoints the Zeebe adapter calls, as an express app over the gateway
// stand-in's state: user-task search / get / assignment / unassignment / completion, variable search,
// process-instance search, incident search. Answers as the API documents (204 on success, 404 for an
// unknown key, 409 problem+json for a task in the wrong state or assigned when allowOverride is
// false) and records every request.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { GatewayStandIn } from './gateway-stand-in';

export interface StandInUserTask {
  userTaskKey: string;
  processInstanceKey: string;
  processDefinitionId: string;
  processDefinitionVersion: number;
  elementId: string;
  name: string;
  state: 'CREATED' | 'COMPLETED' | 'CANCELED';
  assignee?: string;
  candidateGroups: string[];
  candidateUsers: string[];
  creationDate: string;
  completionDate?: string;
  dueDate?: string;
  priority: number;
  formKey?: string;
  variables?: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: any;
}

export class RestStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly tasks = new Map<string, StandInUserTask>();
  private server: Server | null = null;
  url = '';

  constructor(private readonly gateway: GatewayStandIn) {}

  addUserTask(input: Partial<StandInUserTask> & { processInstanceKey: string; elementId: string }): StandInUserTask {
    const instance = this.gateway.instances.get(input.processInstanceKey);
    const task: StandInUserTask = {
      userTaskKey: this.gateway.key(),
      processDefinitionId: instance?.bpmnProcessId ?? 'stand-in-process',
      processDefinitionVersion: instance?.version ?? 1,
      name: input.elementId,
      state: 'CREATED',
      candidateGroups: [],
      candidateUsers: [],
      creationDate: new Date().toISOString(),
      priority: 50,
      ...input,
    };
    this.tasks.set(task.userTaskKey, task);
    return task;
  }

  requestsTo(method: string, pattern: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && pattern.test(r.path));
  }

  async start(): Promise<void> {
    const app = express();
    app.use(express.json());
    app.use((req, _res, next) => {
      this.requests.push({ method: req.method, path: req.path, body: req.body });
      next();
    });
    const problem = (res: express.Response, status: number, detail: string) =>
      res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title: status === 409 ? 'INVALID_STATE' : 'NOT_FOUND', status, detail, instance: res.req.path }));
    const page = (items: unknown[]) => ({ items, page: { totalItems: items.length } });
    const task = (req: express.Request, res: express.Response): StandInUserTask | undefined => {
      const found = this.tasks.get(String(req.params.key));
      if (!found) problem(res, 404, `Command 'UPDATE' rejected with code 'NOT_FOUND': Expected to find user task with key '${req.params.key}', but no such task was found`);
      return found;
    };

    app.post('/v2/user-tasks/search', (req, res) => {
      const filter = req.body?.filter ?? {};
      const from = Number(req.body?.page?.from ?? 0);
      const limit = Number(req.body?.page?.limit ?? 100);
      const items = [...this.tasks.values()].filter((t) => !filter.state || t.state === filter.state);
      res.json(page(items.slice(from, from + limit).map(({ variables: _v, ...t }) => t)));
    });
    app.get('/v2/user-tasks/:key', (req, res) => {
      const found = task(req, res);
      if (found) res.json(found);
    });
    app.post('/v2/user-tasks/:key/assignment', (req, res) => {
      const found = task(req, res);
      if (!found) return;
      if (found.state !== 'CREATED') return problem(res, 409, `Expected to assign user task with key '${found.userTaskKey}', but it is in state '${found.state}'`);
      if (req.body.allowOverride === false && found.assignee && found.assignee !== req.body.assignee) {
        return problem(res, 409, `Command 'CLAIM' rejected with code 'INVALID_STATE': Expected to claim user task with key '${found.userTaskKey}', but it has already been assigned`);
      }
      found.assignee = req.body.assignee;
      res.status(204).end();
    });
    app.delete('/v2/user-tasks/:key/assignee', (req, res) => {
      const found = task(req, res);
      if (!found) return;
      delete found.assignee;
      res.status(204).end();
    });
    app.post('/v2/user-tasks/:key/completion', (req, res) => {
      const found = task(req, res);
      if (!found) return;
      if (found.state !== 'CREATED') return problem(res, 409, `Expected to complete user task with key '${found.userTaskKey}', but it is in state '${found.state}'`);
      found.state = 'COMPLETED';
      found.completionDate = new Date().toISOString();
      found.variables = req.body.variables;
      res.status(204).end();
    });
    app.post('/v2/variables/search', (req, res) => {
      const filter = req.body?.filter ?? {};
      const matches = (value: unknown, f: unknown) => (f === undefined ? true : typeof f === 'object' && f !== null && '$in' in f ? (f as { $in: unknown[] }).$in.includes(value) : f === value);
      const items = [...this.gateway.instances.values()].flatMap((i) =>
        Object.entries(i.variables).map(([name, value]) => ({ variableKey: this.gateway.key(), scopeKey: i.key, processInstanceKey: i.key, name, value: JSON.stringify(value), isTruncated: false, tenantId: '<default>' })),
      );
      res.json(page(items.filter((v) => matches(v.name, filter.name) && matches(v.value, filter.value) && matches(v.processInstanceKey, filter.processInstanceKey))));
    });
    app.post('/v2/process-instances/search', (req, res) => {
      const keys: string[] | undefined = req.body?.filter?.processInstanceKey?.$in;
      const items = [...this.gateway.instances.values()]
        .filter((i) => !keys || keys.includes(i.key))
        .map((i) => ({ processInstanceKey: i.key, processDefinitionId: i.bpmnProcessId, processDefinitionVersion: i.version, state: i.state, startDate: new Date().toISOString(), tenantId: '<default>' }));
      res.json(page(items));
    });
    app.post('/v2/incidents/search', (req, res) => {
      const jobKey = req.body?.filter?.jobKey;
      const items = [...this.gateway.jobs.values()].filter((j) => j.state === 'incident' && (!jobKey || j.key === jobKey)).map((j) => ({ incidentKey: `9${j.key}`, jobKey: j.key, processInstanceKey: j.processInstanceKey, errorType: 'JOB_NO_RETRIES', state: 'ACTIVE' }));
      res.json(page(items));
    });

    this.server = await new Promise<Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }
}

// Property: malformed bodies, query strings and ids thrown at every operation of the API never
// get a 5xx, and never change a row of the main tables. (Refusals do add `access.denied` audit events;
// that is their purpose, so the audit log is not among the tables compared.)
import assert from 'node:assert/strict';
import fc from 'fast-check';
import supertest from 'supertest';
import { api, PERSON, startCase } from '../routes/inbox-support';
import { startWorkflowApi, type WorkflowApi } from '../routes/workflow-api-harness';

const MAIN_TABLES = [
  'users', 'user_roles', 'units', 'quotas', 'persons', 'parameters', 'documents',
  'process_definitions', 'form_definitions', 'process_instances', 'user_tasks', 'jobs', 'timers',
  'message_subscriptions', 'incidents', 'task_delegations', 'task_escalations', 'notifications', 'idempotency_keys',
];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const QUERY_NAMES = ['state', 'candidateGroup', 'assignee', 'processKey', 'unit', 'dueBefore', 'overdue', 'createdFrom', 'createdTo', 'person', 'sort', 'page', 'pageSize', 'unread', 'at', 'version', 'unitId', 'businessKey'];

/** A fingerprint of the main tables: row count and a hash of the rows' text. */
async function fingerprint(w: WorkflowApi): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of MAIN_TABLES) {
    const { rows } = await w.t.db.knex.raw(`select count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as f from "${table}" t`);
    result[table] = rows[0].f;
  }
  return result;
}

describe('malformed input at every operation (property)', () => {
  let w: WorkflowApi;
  let operations: Array<{ method: (typeof METHODS)[number]; path: string }>;
  let realTask: string;

  before(async () => {
    w = await startWorkflowApi();
    await w.deploy('inbox.task.bpmn', 'inbox.person.form');
    // given real rows to aim at: an open task claimed by the leader, a notification
    realTask = (await startCase(w, { groups: ['bianban'], ...PERSON })).taskId;
    await api(w).assign('bianban-leader', realTask, 'bianban-leader');
    const doc = (await supertest(w.t.app).get('/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m] && path.startsWith('/api/'))
        // the stream never ends, and DELETE /api/session would end the caller's session
        .filter((m) => path !== '/api/tasks/stream' && !(m === 'delete' && path === '/api/session'))
        .map((method) => ({ method, path })),
    );
  });

  after(async () => {
    await w?.stop();
  });

  const malformedId = fc.oneof(
    fc.string({ maxLength: 40 }).filter((s) => s.length > 0),
    fc.uuid(), // well-formed, but nothing has it
    fc.constantFrom('..', '%00', "1' or '1'='1", '-1', '0', 'null', 'undefined', '\u4e2d\u6587', 'a'.repeat(300)),
  );
  const malformedBody = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.dictionary(fc.constantFrom('variables', 'assignee', 'comment', 'processKey', 'name', 'retries', 'username', 'password', 'x'), fc.jsonValue()).map((v) => JSON.stringify(v)),
    fc.record({ variables: fc.dictionary(fc.string(), fc.jsonValue()) }).map((v) => JSON.stringify(v)),
    fc.constantFrom('{', '[', 'null', '"', '{"variables":', '\u0000', '{"a":1}{"b":2}', 'true'),
  );
  const malformedQuery = fc.dictionary(fc.constantFrom(...QUERY_NAMES), fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('-1', '0', '1e309', 'NaN', 'true', '2026-13-45', "'; drop table user_tasks; --")));

  function urlFor(path: string, id: string, query: Record<string, string>): string {
    const url = path.replace(/\{\w+\}/g, encodeURIComponent(id));
    const qs = new URLSearchParams(query).toString();
    return qs ? `${url}?${qs}` : url;
  }

  for (const username of ['bianban-leader', 'admin', 'unit-U003']) {
    it(`answers ${username} only below 500 and changes nothing`, async () => {
      const before = await fingerprint(w);
      const headers = await w.as(username);
      const seen: string[] = [];
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: 10_000 }), fc.oneof(malformedId, fc.constant(realTask)), malformedBody, malformedQuery, async (pick, id, body, query) => {
          const { method, path } = operations[pick % operations.length]!;
          const hasId = path.includes('{');
          // the real task only with a body that must be refused: never a bodiless action on it
          if (id === realTask && (method === 'get' || !/complete|assign|delegate|return/.test(path))) return;
          // {} is the well-formed request of "mark all read", not a malformed one
          if (path === '/api/notifications/read-all' && body === '{}') return;
          let req = (supertest(w.t.app) as any)[method](urlFor(path, id, query)).set(headers);
          if (method !== 'get') req = req.set('Content-Type', 'application/json').send(body);
          const res = await req;
          seen.push(`${res.status} ${method} ${path}`);
          assert.ok(res.status < 500, `${method.toUpperCase()} ${urlFor(path, id, query)} body=${body.slice(0, 80)} → ${res.status} ${JSON.stringify(res.body)}`);
          if (hasId && id !== realTask && method !== 'get') assert.ok(res.status >= 400, `${method} ${path} with id ${id} → ${res.status}`);
        }),
        { numRuns: 250, seed: 20261124 + username.length },
      );
      assert.deepEqual(await fingerprint(w), before);
      assert.ok(seen.some((s) => s.startsWith('4')), 'some requests were refused');
    });
  }

  it('answers unparseable JSON with 400 at every operation that takes a body', async () => {
    const headers = await w.as('bianban-leader');
    for (const { method, path } of operations.filter((o) => o.method !== 'get')) {
      const res = await (supertest(w.t.app) as any)[method](path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000')).set(headers).set('Content-Type', 'application/json').send('{"variables":');
      assert.equal(res.status, 400, `${method} ${path}`);
    }
  });
});

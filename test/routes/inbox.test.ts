// GET /api/tasks: filters, sorting, pagination and the per-state counts, on the real engine. Cases
// of inbox-task put their one task in the groups, due time and priority given at start.
import assert from 'node:assert/strict';
import { DAY, PERSON, api, iso, startCase } from './inbox-support';
import { startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

describe('inbox listing (GET /api/tasks)', () => {
  let w: WorkflowApi;
  let u001: string;
  let u002: string;
  let a: string;
  let b: string;
  let c: string;
  let orgTask: string;
  let leaderTask: string;
  const ids = (res: { body: { data: Array<{ id: string }> } }) => res.body.data.map((t) => t.id);

  before(async () => {
    w = await startWorkflowApi();
    await w.deploy('inbox.task.bpmn', 'inbox.person.form');
    u001 = await w.unitId('U001');
    u002 = await w.unitId('U002');
  });

  after(async () => {
    await w?.stop();
  });

  beforeEach(async () => {
    // given three open bianban tasks, one of org and one of the bianban leaders:
    //   a: U001, overdue since yesterday, priority 80, 张三
    //   b: U002, due in two days, priority 20, 李四
    //   c: U001, no due time, priority 50, 张伟
    await w.resetRuntime();
    a = (await startCase(w, { groups: ['bianban'], unitId: u001, dueAt: iso(-DAY), priority: 80, ...PERSON })).taskId;
    b = (await startCase(w, { groups: ['bianban'], unitId: u002, dueAt: iso(2 * DAY), priority: 20, personName: '李四', idNumber: '440524188001010014' })).taskId;
    c = (await startCase(w, { groups: ['bianban'], unitId: u001, priority: 50, personName: '张伟' })).taskId;
    orgTask = (await startCase(w, { groups: ['org'], unitId: u001 })).taskId;
    leaderTask = (await startCase(w, { groups: ['bianban-leader'], unitId: u002 })).taskId;
    // created one day apart: a oldest, c newest
    for (const [id, daysAgo] of [[a, 3], [b, 2], [c, 1]] as const) {
      await w.t.db.knex('user_tasks').where({ id }).update({ created_at: new Date(Date.now() - daysAgo * DAY) });
    }
  });

  const { list, claim, complete } = { list: (u: string, q = '') => api(w).list(u, q), claim: (u: string, id: string) => api(w).claim(u, id), complete: (u: string, id: string, v: Record<string, unknown>) => api(w).complete(u, id, v) };

  it("lists a clerk's open department tasks by due time, those without one last, with the total and the counts per state", async () => {
    // when
    const res = await list('bianban-clerk');
    // then
    assert.equal(res.status, 200);
    assert.deepEqual(ids(res), [a, b, c]);
    assert.deepEqual(res.body.meta, { total: 3, page: 1, pageSize: 20, counts: { created: 3, completed: 0, canceled: 0 }, historyCountLimit: 1000 });
    const first = res.body.data[0];
    assert.equal(first.unitId, u001);
    assert.equal(first.personName, '张三');
    assert.equal(first.overdue, true);
    assert.equal(first.priority, 80);
    assert.deepEqual(first.actions, ['claim']);
    assert.equal(res.body.data[1].overdue, false);
  });

  it('shows the leader the leaders\' task as well, and an org clerk only the org task', async () => {
    assert.deepEqual(ids(await list('bianban-leader')), [a, b, c, leaderTask]);
    assert.deepEqual(ids(await list('org-clerk')), [orgTask]);
  });

  it('sorts by created (newest first) and by priority (highest first)', async () => {
    assert.deepEqual(ids(await list('bianban-clerk', '?sort=created')), [c, b, a]);
    assert.deepEqual(ids(await list('bianban-clerk', '?sort=priority')), [a, c, b]);
  });

  it('pages with a stable order and the same total on every page', async () => {
    // when
    const first = await list('bianban-clerk', '?pageSize=2&page=1');
    const second = await list('bianban-clerk', '?pageSize=2&page=2');
    // then
    assert.deepEqual(ids(first), [a, b]);
    assert.deepEqual(ids(second), [c]);
    assert.equal(second.body.meta.total, 3);
    assert.equal(second.body.meta.page, 2);
  });

  it('filters overdue tasks, and those that are not', async () => {
    assert.deepEqual(ids(await list('bianban-clerk', '?overdue=true')), [a]);
    assert.deepEqual(ids(await list('bianban-clerk', '?overdue=false')), [b, c]);
  });

  it('filters by due time', async () => {
    const res = await list('bianban-clerk', `?dueBefore=${encodeURIComponent(iso(DAY))}`);
    assert.deepEqual(ids(res), [a]);
  });

  it('filters by the unit of the case, given as a code or an id', async () => {
    assert.deepEqual(ids(await list('bianban-clerk', '?unit=U001')), [a, c]);
    assert.deepEqual(ids(await list('bianban-clerk', `?unit=${u002}`)), [b]);
    assert.deepEqual(ids(await list('bianban-clerk', '?unit=U999')), []);
  });

  it('finds a person by the beginning of the name or by the exact ID number (a lowercase x too)', async () => {
    assert.deepEqual(ids(await list('bianban-clerk', `?person=${encodeURIComponent('张')}`)), [a, c]);
    assert.deepEqual(ids(await list('bianban-clerk', `?person=${encodeURIComponent('张三')}`)), [a]);
    assert.deepEqual(ids(await list('bianban-clerk', '?person=11010519491231002x')), [a]);
    assert.deepEqual(ids(await list('bianban-clerk', '?person=440524188001010014')), [b]);
    assert.deepEqual(ids(await list('bianban-clerk', `?person=${encodeURIComponent('%')}`)), [], 'LIKE wildcards are matched literally');
  });

  it('filters by the creation time range', async () => {
    const from = encodeURIComponent(new Date(Date.now() - 2.5 * DAY).toISOString());
    const to = encodeURIComponent(new Date(Date.now() - 1.5 * DAY).toISOString());
    assert.deepEqual(ids(await list('bianban-clerk', `?createdFrom=${from}&createdTo=${to}`)), [b]);
    assert.deepEqual(ids(await list('bianban-clerk', `?createdFrom=${from}`)), [b, c]);
  });

  it('filters by candidate group, process and assignee', async () => {
    assert.deepEqual(ids(await list('bianban-leader', '?candidateGroup=bianban-leader')), [leaderTask]);
    assert.deepEqual(ids(await list('bianban-clerk', '?processKey=inbox-task')), [a, b, c]);
    assert.deepEqual(ids(await list('bianban-clerk', '?processKey=other')), []);
    assert.equal((await claim('bianban-clerk', b)).status, 200);
    assert.deepEqual(ids(await list('bianban-leader', '?assignee=bianban-clerk')), [b]);
  });

  it('lists completed tasks with state=completed, and the counts follow', async () => {
    // given a completed
    assert.equal((await claim('bianban-clerk', a)).status, 200);
    assert.equal((await complete('bianban-clerk', a, { ...PERSON })).status, 204);
    // when
    const done = await list('bianban-clerk', '?state=completed');
    const open = await list('bianban-clerk');
    // then
    assert.deepEqual(ids(done), [a]);
    assert.deepEqual(done.body.data[0].actions, []);
    assert.deepEqual(open.body.meta.counts, { created: 2, completed: 1, canceled: 0 });
    assert.equal(open.body.meta.total, 2);
  });

  it('counts canceled tasks of canceled cases', async () => {
    const instance = await w.t.db.knex('user_tasks').where({ id: c }).first('instance_id');
    assert.equal((await api(w).call('post', 'admin', `/api/process-instances/${instance.instance_id}/cancel`)).status, 204);
    const res = await list('bianban-clerk', '?state=canceled');
    assert.deepEqual(ids(res), [c]);
    assert.deepEqual(res.body.meta.counts, { created: 2, completed: 0, canceled: 1 });
  });

  it('lets auditors read every task, and offers them no action', async () => {
    const res = await list('auditor');
    assert.deepEqual(new Set(ids(res)), new Set([a, b, c, orgTask, leaderTask]));
    assert.ok(res.body.data.every((t: { actions: string[] }) => t.actions.length === 0));
  });

  for (const [query, field] of [
    ['?state=open', '?state'],
    ['?overdue=yes', '?overdue'],
    ['?dueBefore=tomorrow', '?dueBefore'],
    ['?createdFrom=x', '?createdFrom'],
    ['?sort=name', '?sort'],
    ['?pageSize=0', '?pageSize'],
    ['?page=-1', '?page'],
    [`?person=${'1'.repeat(41)}`, '?person'],
    ['?unit=a&unit=b', '?unit'],
  ] as const) {
    it(`answers 400 naming ${field} for ${query.slice(0, 30)}`, async () => {
      const res = await list('bianban-clerk', query);
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.equal(res.body.error.details[0].field, field);
    });
  }
});

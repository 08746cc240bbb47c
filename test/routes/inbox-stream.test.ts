// GET /api/tasks/stream: server-sent events of inbox changes, over a real HTTP connection. The hub
// is driven by hand (poll, heartbeat) instead of its timers, so nothing here waits on the clock.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { hashToken } from '../../server/core/tokens';
import { taskRoutes } from '../../server/routes/tasks';
import { createInboxStreamHub, type InboxStreamHub } from '../../server/services/inbox-stream';
import { createTaskService } from '../../server/services/tasks';
import { createTestApp, createTestUser, tokenFor, type TestApp } from '../support/app';
import { DEMO_PASSWORD } from '../../server/demo/district';
import { api, startCase } from './inbox-support';
import { startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

interface SseEvent {
  event: string;
  data: any;
}

/** An open event stream: the events so far, and a way to wait for the next one that matches. */
class Stream {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  ended = false;
  private buffer = '';
  private waiters: Array<() => void> = [];

  constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    void this.read();
  }

  private async read(): Promise<void> {
    const reader = this.response.body!.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, cut);
          this.buffer = this.buffer.slice(cut + 2);
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          for (const l of lines) if (l.startsWith(': ')) this.comments.push(l.slice(2));
          if (event) this.events.push({ event, data: data === undefined ? undefined : JSON.parse(data) });
        }
        this.wake();
      }
    } catch {
      // aborted
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the first event (from index `from`) that matches; rejects when the stream ends first. */
  async next(match: (e: SseEvent) => boolean, from = 0): Promise<SseEvent> {
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      if (this.ended) throw new Error(`stream ended without the event; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async untilEnded(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.abort.abort();
  }
}

describe('inbox event stream (GET /api/tasks/stream)', () => {
  let w: WorkflowApi;
  let t: TestApp;
  let hub: InboxStreamHub;
  let server: Server;
  let base: string;
  const streams: Stream[] = [];

  before(async () => {
    w = await startWorkflowApi();
    await w.deploy('inbox.task.bpmn', 'inbox.person.form');
    hub = createInboxStreamHub({ db: w.t.db.knex, autoStart: false });
    const tasks = createTaskService({ db: w.t.db.knex, engine: w.running.engine });
    t = await createTestApp({ db: w.t.db, routers: [taskRoutes(tasks, { hub })] });
    server = createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    hub?.closeAll();
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await w?.stop();
  });

  beforeEach(async () => {
    await w.resetRuntime();
  });

  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });

  async function open(query: string, headers: Record<string, string> = {}): Promise<Stream> {
    const abort = new AbortController();
    const response = await fetch(`${base}/api/tasks/stream${query}`, { headers, signal: abort.signal });
    const stream = new Stream(response, abort);
    streams.push(stream);
    return stream;
  }

  const login = (username: string) => tokenFor(t.app, username, DEMO_PASSWORD);

  it('opens with the token in the query (EventSource cannot set headers) and says ready', async () => {
    // when
    const stream = await open(`?token=${await login('bianban-clerk')}`);
    // then
    assert.equal(stream.response.status, 200);
    assert.match(stream.response.headers.get('content-type')!, /^text\/event-stream/);
    assert.deepEqual((await stream.next((e) => e.event === 'ready')).data, { username: 'bianban-clerk' });
  });

  it('opens with a Bearer header too', async () => {
    const stream = await open('', { Authorization: `Bearer ${await login('bianban-clerk')}` });
    assert.equal(stream.response.status, 200);
    await stream.next((e) => e.event === 'ready');
  });

  it('answers 401 without a token, with a bad one, and takes ?token= on no other path', async () => {
    assert.equal((await fetch(`${base}/api/tasks/stream`)).status, 401);
    assert.equal((await fetch(`${base}/api/tasks/stream?token=not-a-token`)).status, 401);
    const token = await login('bianban-clerk');
    assert.equal((await supertest(t.app).get(`/api/tasks?token=${token}`)).status, 401);
  });

  it("pushes a new task to its department's users only, and the assignment and its notification to the assignee", async () => {
    // given a bianban clerk's and an org clerk's streams
    const clerk = await open(`?token=${await login('bianban-clerk')}`);
    const org = await open(`?token=${await login('org-clerk')}`);
    await clerk.next((e) => e.event === 'ready');
    await org.next((e) => e.event === 'ready');
    await hub.poll(); // the hub's cursors start here
    // when a bianban task opens
    const { taskId } = await startCase(w, { groups: ['bianban'] });
    await hub.poll();
    // then
    const opened = await clerk.next((e) => e.event === 'task' && e.data.id === taskId);
    assert.deepEqual([opened.data.state, opened.data.assignee, opened.data.actions], ['created', null, ['claim']]);
    // when the leader assigns it to the clerk
    assert.equal((await api(w).assign('bianban-leader', taskId, 'bianban-clerk')).status, 200);
    const mark = clerk.events.length;
    await hub.poll();
    // then
    const assigned = await clerk.next((e) => e.event === 'task' && e.data.assignee === 'bianban-clerk', mark);
    assert.equal(assigned.data.id, taskId);
    const note = await clerk.next((e) => e.event === 'notification', mark);
    assert.deepEqual([note.data.kind, note.data.taskId], ['task.assigned', taskId]);
    assert.deepEqual(org.events.map((e) => e.event), ['ready']);
  });

  it('ends the stream when its session logs out', async () => {
    // given
    const token = await login('bianban-clerk');
    const stream = await open(`?token=${token}`);
    await stream.next((e) => e.event === 'ready');
    // when
    assert.equal((await supertest(t.app).delete('/api/session').set('Authorization', `Bearer ${token}`)).status, 204);
    // then
    assert.deepEqual((await stream.next((e) => e.event === 'end')).data, { reason: 'session-ended' });
    await stream.untilEnded();
    assert.equal(hub.size, 0);
  });

  it('sends heartbeats, and ends the stream at the heartbeat after its session was revoked elsewhere', async () => {
    // given
    const token = await login('bianban-clerk');
    const stream = await open(`?token=${token}`);
    await stream.next((e) => e.event === 'ready');
    // when a heartbeat passes
    await hub.heartbeat();
    await stream.next(() => stream.comments.some((c) => c.startsWith('heartbeat')));
    // and another server process revokes the session
    await w.t.db.knex('sessions').where({ token_hash: hashToken(token) }).update({ revoked_at: new Date() });
    await hub.heartbeat();
    // then
    assert.deepEqual((await stream.next((e) => e.event === 'end')).data, { reason: 'session-ended' });
    await stream.untilEnded();
  });

  it("follows a change of the user's department at the next heartbeat", async () => {
    // given a clerk of 组织部 connected, then moved to the 编办 by another process
    await createTestUser(t.services, { username: 'moving-clerk', password: DEMO_PASSWORD, roles: ['clerk'], departmentId: 'org', isDemo: true });
    const stream = await open(`?token=${await login('moving-clerk')}`);
    await stream.next((e) => e.event === 'ready');
    await hub.poll();
    await w.t.db.knex('users').where({ username: 'moving-clerk' }).update({ department_id: 'bianban' });
    // when a heartbeat passes and a 编办 task opens
    await hub.heartbeat();
    const { taskId } = await startCase(w, { groups: ['bianban'] });
    await hub.poll();
    // then the stream shows it, as the inbox of the 编办 clerk it now is
    const seen = await Promise.race([stream.next((e) => e.event === 'task' && e.data.id === taskId).then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 2000))]);
    assert.equal(seen, true, JSON.stringify(stream.events.map((e) => e.event)));
  });

  it('answers 403 to a worker account (no task.read)', async () => {
    const res = await fetch(`${base}/api/tasks/stream`, { headers: { Authorization: `Basic ${Buffer.from(`worker:${DEMO_PASSWORD}`).toString('base64')}` } });
    assert.equal(res.status, 403);
  });
});

// Scenario tests: each construct of the Zeebe dialect on a small fixture diagram, run by the real
// embedded engine against the real database.
import { strict as assert } from 'node:assert';
import { createEngineHarness, fixture, tester, testWorker, type EngineHarness } from './harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('embedded engine', function () {
  let h: EngineHarness;

  before(async () => {
    h = await createEngineHarness();
    await h.deploy(
      'engine.service-task.bpmn',
      'engine.error-boundary.bpmn',
      'engine.exclusive-gateway.bpmn',
      'engine.user-task.bpmn',
      'engine.messages.bpmn',
      'engine.timers.bpmn',
      'engine.gateways.bpmn',
      'engine.subprocess.bpmn',
      'engine.call-child.bpmn',
      'engine.call-parent.bpmn',
      'engine.multi-instance.bpmn',
      'engine.timer-date.bpmn',
      'engine.message-boundary.bpmn',
    );
  });

  beforeEach(() => h.resetRuntime());

  describe('service tasks', () => {
    it('hands the job its input mappings and headers, and maps its output into the instance', async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 21 } }, tester);
      // when
      const [job] = await h.jobs('test.check');
      await h.engine.completeJob(job.key, { result: 'ok', scratch: 1 }, testWorker);
      // then
      assert.equal(job.variables.doubled, 42);
      assert.deepEqual(job.customHeaders, { level: 'district' });
      const instance = await h.instance(started.id);
      assert.equal(instance.state, 'completed');
      assert.equal(instance.variables.checkResult, 'ok');
      assert.equal(instance.variables.scratch, undefined, 'with output mappings only mapped variables reach the instance');
    });

    it('keeps no engine in memory: a second engine on the same database continues the instance', async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 1 } }, tester);
      const { EmbeddedEngine } = await import('../../server/engine/embedded/embedded-engine');
      const { createSilentLogger } = await import('../../server/core/logger');
      const other = new EmbeddedEngine({ db: h.db, log: createSilentLogger(), timerPollIntervalMs: 60_000 });
      // when
      const [job] = await other.activateJobs({ types: ['test.check'], worker: 'other', maxJobs: 10, timeoutMs: 1000 });
      await other.completeJob(job.key, { result: 'from other' }, testWorker);
      // then
      assert.equal((await h.instance(started.id)).state, 'completed');
    });

    it('records a completed job once: a second completion of the same job is refused', async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 1 } }, tester);
      const [job] = await h.jobs('test.check');
      await h.engine.completeJob(job.key, { result: 'first' }, testWorker);
      // when
      const second = h.engine.completeJob(job.key, { result: 'second' }, testWorker);
      // then
      await assert.rejects(second, (err: any) => err.code === 'JOB_NOT_ACTIVE');
      const kinds = await h.auditKinds(started.id);
      assert.equal(kinds.filter((k) => k === 'job.completed').length, 1);
      assert.equal((await h.instance(started.id)).variables.checkResult, 'first');
    });

    it('announces a failed job to be retried at once to the workers, as a new job; one with a backoff not', async () => {
      await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 1 } }, tester);
      let announced = 0;
      const count = () => announced++;
      h.engine.on('jobs', count);
      try {
        let [job] = await h.jobs('test.check');
        await h.engine.failJob(job.key, { retries: 2, errorMessage: 'registry busy', retryBackoffMs: 60_000 }, testWorker);
        assert.equal(announced, 0, 'with a backoff the poll finds it');
        h.clock.advance(61_000);
        [job] = await h.jobs('test.check');
        await h.engine.failJob(job.key, { retries: 1, errorMessage: 'registry busy' }, testWorker);
        assert.equal(announced, 1);
      } finally {
        h.engine.off('jobs', count);
      }
    });

    it('retries a failed job after its backoff and opens an incident when retries run out', async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 1 } }, tester);
      let [job] = await h.jobs('test.check');
      // when: a failure with retries left and a backoff
      await h.engine.failJob(job.key, { retries: 1, errorMessage: 'registry down', retryBackoffMs: 10 * 60_000 }, testWorker);
      // then: not activatable before the backoff, activatable after it
      assert.equal((await h.jobs('test.check')).length, 0);
      h.clock.advance(11 * 60_000);
      [job] = await h.jobs('test.check');
      assert.equal(job.retries, 1);
      // when: the last retry fails
      await h.engine.failJob(job.key, { retries: 0, errorMessage: 'registry still down' }, testWorker);
      // then: an incident, the instance still active
      const [incident] = await h.db('incidents').where({ instance_id: started.id, state: 'active' });
      assert.equal(incident.error_type, 'JOB_NO_RETRIES');
      assert.equal((await h.instance(started.id)).state, 'active');
      assert.equal((await h.jobs('test.check')).length, 0);
      // when: retries are raised and the incident resolved
      await assert.rejects(h.engine.resolveIncident(incident.id, tester), (err: any) => err.code === 'NO_RETRIES');
      await h.engine.updateJobRetries(job.key, 2, tester);
      await h.engine.resolveIncident(incident.id, tester);
      // then: the job runs again and the instance completes
      await h.completeJobs('test.check', () => ({ result: 'ok' }));
      assert.equal((await h.instance(started.id)).state, 'completed');
    });
  });

  describe('BPMN errors', () => {
    it('follows the error boundary event whose code matches', async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-error-boundary' }, tester);
      const [job] = await h.jobs('test.check');
      // when
      await h.engine.throwError(job.key, 'QUOTA_EXCEEDED', '可用编制 0', { available: 0 }, testWorker);
      // then
      const instance = await h.instance(started.id);
      assert.equal(instance.state, 'completed');
      assert.equal(instance.variables.available, 0);
      const completed = await h.elementsCompleted(started.id);
      assert.ok(completed.includes('EndEvent_Rejected'));
      assert.ok(!completed.includes('EndEvent_Done'));
    });

    it('opens an incident for an error code nobody catches, and leaves the instance running', async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-error-boundary' }, tester);
      const [job] = await h.jobs('test.check');
      // when
      await h.engine.throwError(job.key, 'SOMETHING_ELSE', 'unexpected', {}, testWorker);
      // then
      assert.equal((await h.instance(started.id)).state, 'active');
      const [incident] = await h.db('incidents').where({ instance_id: started.id, state: 'active' });
      assert.equal(incident.error_type, 'UNHANDLED_ERROR_EVENT');
    });
  });

  describe('FEEL conditions', () => {
    it('takes the flow whose condition holds', async () => {
      // when
      const big = await h.engine.startInstance({ processKey: 'engine-exclusive-gateway', variables: { amount: 500 } }, tester);
      // then
      assert.equal((await h.instance(big.id)).state, 'completed');
      assert.ok((await h.elementsCompleted(big.id)).includes('EndEvent_Big'));
    });

    it('opens an incident when no condition holds and the gateway has no default flow', async () => {
      // when
      const stuck = await h.engine.startInstance({ processKey: 'engine-exclusive-gateway', variables: { amount: 50 } }, tester);
      // then
      assert.equal(stuck.state, 'active');
      assert.equal(stuck.incidents, 1);
      const [incident] = await h.db('incidents').where({ instance_id: stuck.id });
      assert.equal(incident.element_id, 'Gateway_Amount');
    });
  });

  describe('user tasks', () => {
    it('puts the task in the inbox with groups, assignee, form, priority and due date, and continues on completion', async () => {
      // given
      const due = '2026-12-31T09:00:00.000Z';
      const started = await h.engine.startInstance({ processKey: 'engine-user-task', businessKey: 'Z1-001', variables: { preferredAssignee: 'bianban-clerk', dueDate: due } }, tester);
      // when
      const [task] = await h.openTasks(started.id);
      // then
      assert.deepEqual(task.candidate_groups, ['bianban', 'org']);
      assert.equal(task.assignee, 'bianban-clerk');
      assert.equal(task.form_id, 'test-approve');
      assert.equal(task.priority, 80);
      assert.equal(new Date(task.due_at).toISOString(), due);
      assert.equal(task.business_key, 'Z1-001');
      // when
      await h.engine.completeUserTask(task.id, { approved: true }, tester);
      // then
      assert.equal((await h.instance(started.id)).state, 'completed');
      assert.ok((await h.elementsCompleted(started.id)).includes('EndEvent_Approved'));
      assert.equal((await h.db('user_tasks').where({ id: task.id }).first()).state, 'completed');
    });
  });

  describe('messages', () => {
    it('correlates by name and correlation key to a catch event and then a receive task', async () => {
      // given
      const mine = await h.engine.startInstance({ processKey: 'engine-messages', variables: { caseNo: 'A-1' } }, tester);
      const other = await h.engine.startInstance({ processKey: 'engine-messages', variables: { caseNo: 'B-2' } }, tester);
      // when
      const first = await h.engine.publishMessage({ name: 'reply', correlationKey: 'A-1', variables: { replyText: '同意' } }, tester);
      // then
      assert.deepEqual(first.correlated, [mine.id]);
      assert.equal((await h.instance(mine.id)).variables.replyText, '同意');
      assert.equal((await h.instance(other.id)).variables.replyText, undefined);
      // when
      await h.engine.publishMessage({ name: 'archive-done', correlationKey: 'A-1' }, tester);
      // then
      assert.equal((await h.instance(mine.id)).state, 'completed');
      assert.equal((await h.instance(other.id)).state, 'active');
    });

    it('interrupts a user task by a message boundary event and withdraws the task from the inbox', async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-message-boundary', variables: { caseNo: 'W-1' } }, tester);
      assert.equal((await h.openTasks(started.id)).length, 1);
      // when
      const result = await h.engine.publishMessage({ name: 'withdraw', correlationKey: 'W-1', variables: { reason: '申请人撤回' } }, tester);
      // then
      assert.deepEqual(result.correlated, [started.id]);
      const instance = await h.instance(started.id);
      assert.equal(instance.state, 'completed');
      assert.equal(instance.variables.reason, '申请人撤回');
      assert.ok((await h.elementsCompleted(started.id)).includes('EndEvent_Withdrawn'));
      assert.equal((await h.openTasks(started.id)).length, 0);
    });

    it('keeps a message published before anyone waits for its time to live, for the subscription that opens later', async () => {
      // given: the reply arrives before the case waits for it
      const early = await h.engine.publishMessage({ name: 'reply', correlationKey: 'E-1', variables: { replyText: '提前到达' }, timeToLiveMs: 60_000, messageId: 'reply-E-1' }, tester);
      assert.equal(early.correlated.length, 0);
      assert.ok(early.bufferedMessageId);
      await assert.rejects(
        h.engine.publishMessage({ name: 'reply', correlationKey: 'E-1', timeToLiveMs: 60_000, messageId: 'reply-E-1' }, tester),
        (err: any) => err.code === 'MESSAGE_ALREADY_PUBLISHED',
      );
      // when
      const started = await h.engine.startInstance({ processKey: 'engine-messages', variables: { caseNo: 'E-1' } }, tester);
      await h.engine.runPendingCommands();
      // then: the case took the message and waits at the receive task
      const instance = await h.instance(started.id);
      assert.equal(instance.variables.replyText, '提前到达');
      const open = await h.db('message_subscriptions').where({ instance_id: started.id, state: 'open' });
      assert.deepEqual(open.map((s: any) => s.element_id), ['Task_ReceiveArchive']);
      assert.equal((await h.db('messages').where({ id: early.bufferedMessageId }).first()).state, 'correlated');
    });

    it('does not keep a message without a time to live, nor hand out one whose time has run out', async () => {
      // given
      const none = await h.engine.publishMessage({ name: 'reply', correlationKey: 'E-2', variables: { replyText: 'x' } }, tester);
      const expired = await h.engine.publishMessage({ name: 'reply', correlationKey: 'E-3', variables: { replyText: 'y' }, timeToLiveMs: 60_000 }, tester);
      // its minute passes (lifetimes run on the database clock)
      await h.db('messages').where({ id: expired.bufferedMessageId }).update({ expires_at: h.db.raw("now() - interval '1 second'") });
      // when
      const second = await h.engine.startInstance({ processKey: 'engine-messages', variables: { caseNo: 'E-2' } }, tester);
      const third = await h.engine.startInstance({ processKey: 'engine-messages', variables: { caseNo: 'E-3' } }, tester);
      await h.engine.runPendingCommands();
      // then
      assert.equal(none.bufferedMessageId, null);
      assert.ok(expired.bufferedMessageId);
      assert.equal((await h.instance(second.id)).variables.replyText, undefined);
      assert.equal((await h.instance(third.id)).variables.replyText, undefined);
    });

    it('starts an instance at its message start event', async () => {
      // when
      const result = await h.engine.publishMessage({ name: 'open-case', variables: { caseNo: 'M-9' } }, tester);
      // then
      assert.equal(result.started.length, 1);
      const instance = await h.instance(result.started[0]);
      assert.equal(instance.variables.caseNo, 'M-9');
      assert.equal(instance.start_event_id, 'StartEvent_Message');
      const subscription = await h.db('message_subscriptions').where({ instance_id: instance.id, state: 'open' }).first();
      assert.equal(subscription.message_name, 'reply');
      assert.equal(subscription.correlation_key, 'M-9');
    });
  });

  describe('timers', () => {
    it('keeps timers as rows and fires them only when due on the clock', async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-timers', variables: { expireAfter: 'P3D' } }, tester);
      const [timer] = await h.db('timers').where({ instance_id: started.id, state: 'active' });
      assert.equal(timer.element_id, 'Event_Wait');
      // when: not yet due
      assert.equal(await h.engine.fireDueTimers(), 0);
      // when: a day later
      h.clock.advance(DAY + 1000);
      await h.engine.fireDueTimers();
      // then
      const [task] = await h.openTasks(started.id);
      assert.equal(task.element_id, 'Task_Review');
      const boundary = await h.db('timers').where({ instance_id: started.id, state: 'active' }).orderBy('due_at');
      assert.deepEqual(
        boundary.map((t: any) => t.element_id),
        ['Boundary_Remind', 'Boundary_Expire'],
      );
    });

    it('runs a non-interrupting boundary timer beside the task and an interrupting one instead of it', async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-timers', variables: { expireAfter: 'P3D' } }, tester);
      h.clock.advance(DAY + 1000);
      await h.engine.fireDueTimers();
      // when: the reminder is due
      h.clock.advance(2 * HOUR);
      await h.engine.fireDueTimers();
      // then: the task is still open and the escalation job exists
      assert.equal((await h.openTasks(started.id)).length, 1);
      const escalations = (await h.completeJobs('test.escalate')).filter((job) => job.instanceId === started.id);
      assert.equal(escalations.length, 1);
      // when: the task expires
      h.clock.advance(3 * DAY);
      await h.engine.fireDueTimers();
      // then
      assert.equal((await h.openTasks(started.id)).length, 0);
      const instance = await h.instance(started.id);
      assert.equal(instance.state, 'completed');
      assert.ok((await h.elementsCompleted(started.id)).includes('EndEvent_Expired'));
      assert.equal((await h.db('user_tasks').where({ instance_id: started.id }).first()).state, 'canceled');
    });

    it('fires a date timer at the date its FEEL expression gives', async () => {
      // given
      const deadline = new Date(h.clock.now.getTime() + 5 * DAY);
      const started = await h.engine.startInstance({ processKey: 'engine-timer-date', variables: { deadline: deadline.toISOString() } }, tester);
      const [timer] = await h.db('timers').where({ instance_id: started.id, state: 'active' });
      assert.equal(new Date(timer.due_at).toISOString(), deadline.toISOString());
      // when: a day before, nothing fires; at the date, it does
      h.clock.advance(4 * DAY);
      await h.engine.fireDueTimers();
      assert.equal((await h.instance(started.id)).state, 'active');
      h.clock.advance(DAY);
      await h.engine.fireDueTimers();
      // then
      assert.equal((await h.instance(started.id)).state, 'completed');
    });

    it('starts instances from a timer start event on its cycle, and stops after the last repetition', async () => {
      // given: a new process id, so that this deployment schedules its own start timer
      const processId = `engine-timer-start-${Date.now()}`;
      await h.engine.deploy([{ name: 'timer-start.bpmn', content: fixture('engine.timer-start.bpmn').replaceAll('engine-timer-start', processId) }], tester);
      const count = async () => Number((await h.db('process_instances').where({ process_id: processId }).count('* as n'))[0].n);
      const before = await count();
      // when
      h.clock.advance(DAY + 1000);
      await h.engine.fireDueTimers();
      h.clock.advance(DAY + 1000);
      await h.engine.fireDueTimers();
      h.clock.advance(DAY + 1000);
      await h.engine.fireDueTimers();
      // then: R2 → exactly two instances, each waiting at its job
      assert.equal((await count()) - before, 2);
      assert.equal((await h.completeJobs('test.scan')).length, 2);
    });
  });

  describe('gateways', () => {
    it('runs parallel review, inclusive branches and the event-based choice', async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-gateways', variables: { notifyX: true, notifyY: false, caseNo: 'G-1' } }, tester);
      // when: both parallel branches must finish before the join
      await h.completeJobs('test.review-hr');
      assert.equal((await h.jobs('test.notify-x')).length, 0, 'the join waits for the second branch');
      await h.completeJobs('test.review-org');
      // then: only the inclusive branch whose condition holds runs
      assert.equal((await h.completeJobs('test.notify-x')).length, 1);
      assert.equal((await h.jobs('test.notify-y')).length, 0);
      // then: the event-based gateway waits for a message and a timer at once
      assert.equal((await h.db('message_subscriptions').where({ instance_id: started.id, state: 'open' })).length, 1);
      assert.equal((await h.db('timers').where({ instance_id: started.id, state: 'active' })).length, 1);
      // when
      await h.engine.publishMessage({ name: 'reply', correlationKey: 'G-1' }, tester);
      // then: the timer branch is withdrawn
      assert.equal((await h.instance(started.id)).state, 'completed');
      assert.equal((await h.db('timers').where({ instance_id: started.id, state: 'active' })).length, 0);
      assert.ok((await h.elementsCompleted(started.id)).includes('EndEvent_Replied'));
    });
  });

  describe('subprocesses', () => {
    it('catches an error end event of an embedded subprocess on its boundary', async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-subprocess' }, tester);
      // when
      await h.completeJobs('test.inspect', () => ({ complete: false }));
      // then
      assert.equal((await h.instance(started.id)).state, 'completed');
      assert.ok((await h.elementsCompleted(started.id)).includes('EndEvent_Returned'));
    });
  });

  describe('call activities', () => {
    it('runs the called process as a child instance and continues the parent with its variables', async () => {
      // given
      const parent = await h.engine.startInstance({ processKey: 'engine-call-parent', variables: { personName: '张三' } }, tester);
      // when
      await h.engine.runPendingCommands();
      const child = await h.db('process_instances').where({ parent_instance_id: parent.id }).first();
      const [job] = await h.completeJobs('test.child-work', () => ({ childResult: 42 }));
      await h.engine.runPendingCommands();
      // then
      assert.equal(job.variables.personName, '张三');
      assert.equal((await h.instance(child.id)).state, 'completed');
      const after = await h.instance(parent.id);
      assert.equal(after.state, 'completed');
      assert.equal(after.variables.childResult, 42);
    });

    it('terminates the child when the parent is canceled', async () => {
      // given
      const parent = await h.engine.startInstance({ processKey: 'engine-call-parent' }, tester);
      await h.engine.runPendingCommands();
      const child = await h.db('process_instances').where({ parent_instance_id: parent.id }).first();
      // when
      await h.engine.cancelInstance(parent.id, tester);
      // then
      assert.equal((await h.instance(parent.id)).state, 'canceled');
      assert.equal((await h.instance(child.id)).state, 'terminated');
      assert.equal((await h.db('jobs').where({ instance_id: child.id }).first()).state, 'canceled');
    });
  });

  describe('multi-instance', () => {
    it('runs a parallel job per element, collects the outputs, then a sequential task per output', async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-multi-instance', variables: { docs: ['用编通知单', '入编通知单', '调令'] } }, tester);
      // when
      const jobs = await h.completeJobs('test.generate', (job) => ({ number: `N-${job.variables.doc}` }));
      // then
      assert.equal(jobs.length, 3);
      assert.deepEqual(jobs.map((j) => j.variables.doc).sort(), ['入编通知单', '用编通知单', '调令'].sort());
      assert.deepEqual((await h.instance(started.id)).variables.numbers, ['N-用编通知单', 'N-入编通知单', 'N-调令']);
      // when: the sequential tasks come one at a time
      for (const expected of ['N-用编通知单', 'N-入编通知单', 'N-调令']) {
        const tasks = await h.openTasks(started.id);
        assert.equal(tasks.length, 1);
        assert.equal(tasks[0].variables.number, expected);
        await h.engine.completeUserTask(tasks[0].id, {}, tester);
      }
      // then
      assert.equal((await h.instance(started.id)).state, 'completed');
    });
  });

  describe('deployment', () => {
    it('makes a new version only when the content changes, and running instances stay on theirs', async () => {
      // given
      const xml = fixture('engine.service-task.bpmn').replaceAll('engine-service-task', 'engine-versioned');
      const first = await h.engine.deploy([{ name: 'v.bpmn', content: xml }], tester);
      const running = await h.engine.startInstance({ processKey: 'engine-versioned', variables: { amount: 1 } }, tester);
      // when
      const same = await h.engine.deploy([{ name: 'v.bpmn', content: xml }], tester);
      const changed = await h.engine.deploy([{ name: 'v.bpmn', content: xml.replace('name="检查"', 'name="复核"') }], tester);
      // then
      assert.equal(same.processes[0].isNew, false);
      assert.equal(same.processes[0].version, first.processes[0].version);
      assert.equal(changed.processes[0].version, first.processes[0].version + 1);
      assert.equal((await h.instance(running.id)).version, first.processes[0].version);
      const next = await h.engine.startInstance({ processKey: 'engine-versioned', variables: { amount: 1 } }, tester);
      assert.equal(next.version, changed.processes[0].version);
    });

    it('refuses a diagram with lint errors with 422 LINT_FAILED and the findings', async () => {
      // when
      const attempt = h.engine.deploy([{ name: 'bad.bpmn', content: fixture('lint.missing-task-type.bpmn') }], tester);
      // then
      await assert.rejects(attempt, (err: any) => err.status === 422 && err.code === 'LINT_FAILED' && err.details[0].findings.some((f: any) => f.id === 'Task_CheckQuota'));
    });
  });
});

// A user task is completed as one guarded statement (StepRunner.guardedStep): the instance and task
// are read without a lock, and the write states what it read — the instance still at that step, the
// task still open and still held by whoever completes it. When anything changed in between, nothing
// of it is written and the locked step decides, as it did before.
import { strict as assert } from 'node:assert';
import { InstanceSession } from '../../server/engine/embedded/instance-session';
import { StepRunner } from '../../server/engine/embedded/step-runner';
import { createEngineHarness, tester, type EngineHarness } from './harness';

describe('embedded engine: user tasks completed as one guarded statement', function () {
  let h: EngineHarness;
  let lockedSteps: number;
  /** runs once, right after a step has read the instance, as if another server acted meanwhile */
  let meanwhile: (() => Promise<unknown>) | null;
  const realRecover = InstanceSession.recover;
  const realStep = StepRunner.prototype.step;

  before(async () => {
    h = await createEngineHarness();
    await h.deploy('engine.user-task.bpmn');
    InstanceSession.recover = async function (...args: Parameters<typeof realRecover>) {
      const session = await realRecover.apply(InstanceSession, args);
      const act = meanwhile;
      meanwhile = null;
      await act?.();
      return session;
    };
    StepRunner.prototype.step = function (this: StepRunner, ...args: Parameters<typeof realStep>) {
      lockedSteps++;
      return realStep.apply(this, args);
    };
  });

  after(() => {
    InstanceSession.recover = realRecover;
    StepRunner.prototype.step = realStep;
  });

  beforeEach(async () => {
    await h.resetRuntime();
    lockedSteps = 0;
    meanwhile = null;
  });

  async function waitingTask(assignee: string | null) {
    const started = await h.engine.startInstance({ processKey: 'engine-user-task', variables: { preferredAssignee: assignee, dueDate: null } }, tester);
    const [task] = await h.openTasks(started.id);
    return { instanceId: started.id, task };
  }

  const completions = async (instanceId: string) => h.db('audit_events').where({ instance_id: instanceId, kind: 'user-task.completed' });

  it('completes without the locked step when nothing changed, with the outcome the locked step has', async () => {
    const { instanceId, task } = await waitingTask('bianban-clerk');
    const stepsBefore = (await h.instance(instanceId)).step_count;
    await h.engine.completeUserTask(task.id, { approved: true }, tester, { requireAssignee: 'bianban-clerk' });
    assert.equal(lockedSteps, 0, 'the guarded statement did it');
    const row = await h.instance(instanceId);
    assert.equal(row.state, 'completed');
    assert.equal(row.step_count, stepsBefore + 1);
    assert.equal(row.variables.approved, true);
    assert.ok((await h.elementsCompleted(instanceId)).includes('EndEvent_Approved'));
    const done = await h.db('user_tasks').where({ id: task.id }).first();
    assert.deepEqual([done.state, done.completed_by], ['completed', 'tester']);
    assert.equal((await completions(instanceId)).length, 1);
  });

  it('writes nothing when the instance stepped meanwhile, and completes it through the locked step once', async () => {
    const { instanceId, task } = await waitingTask('bianban-clerk');
    // another step on the instance (here: its step count moved on) between the read and the write
    meanwhile = () => h.db('process_instances').where({ id: instanceId }).increment('step_count', 1);
    await h.engine.completeUserTask(task.id, { approved: false }, tester, { requireAssignee: 'bianban-clerk' });
    assert.equal(lockedSteps, 1, 'the guarded statement was refused; the locked step ran');
    const row = await h.instance(instanceId);
    assert.equal(row.state, 'completed');
    assert.ok((await h.elementsCompleted(instanceId)).includes('EndEvent_Rejected'));
    assert.equal((await completions(instanceId)).length, 1, 'recorded once');
  });

  it('refuses with 409 when the task was given to someone else meanwhile, and records nothing', async () => {
    const { instanceId, task } = await waitingTask('bianban-clerk');
    meanwhile = () => h.db('user_tasks').where({ id: task.id }).update({ assignee: 'bianban-leader' });
    await assert.rejects(
      h.engine.completeUserTask(task.id, { approved: true }, tester, { requireAssignee: 'bianban-clerk' }),
      (err: any) => err.status === 409 && err.code === 'TASK_NOT_ASSIGNED_TO_YOU',
    );
    assert.equal((await h.db('user_tasks').where({ id: task.id }).first()).state, 'created');
    assert.equal((await h.instance(instanceId)).state, 'active');
    assert.deepEqual(await completions(instanceId), []);
  });

  it('refuses a second completion of the same task: of two racing completions one is recorded', async () => {
    const { instanceId, task } = await waitingTask('bianban-clerk');
    // the first completion's read is followed by a whole second completion before it writes
    meanwhile = () => h.engine.completeUserTask(task.id, { approved: true }, tester, { requireAssignee: 'bianban-clerk' });
    await assert.rejects(
      h.engine.completeUserTask(task.id, { approved: false }, tester, { requireAssignee: 'bianban-clerk' }),
      (err: any) => err.status === 409 && err.code === 'TASK_NOT_ACTIVE',
    );
    assert.equal((await completions(instanceId)).length, 1);
    assert.equal((await h.instance(instanceId)).variables.approved, true, 'the one that wrote first stands');
  });
});

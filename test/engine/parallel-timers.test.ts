// A parallel review whose branches carry non-interrupting time-limit timers (as every user task of the
// workflows does): the join must complete the instance whichever branch finishes first.
import { strict as assert } from 'node:assert';
import { createEngineHarness, tester, type EngineHarness } from './harness';

describe('embedded engine: parallel join after tasks with non-interrupting timers', () => {
  let h: EngineHarness;
  before(async () => {
    h = await createEngineHarness();
    await h.deploy('engine.parallel-timers.bpmn');
  });

  for (const order of [['Task_A', 'Task_B'], ['Task_B', 'Task_A']]) {
    it(`completes when ${order.join(' then ')} finish`, async () => {
      // given
      const started = await h.engine.startInstance({ processKey: 'engine-parallel-timers' }, tester);
      // when each branch's task is completed in its own step
      for (const elementId of order) {
        const task = (await h.openTasks(started.id)).find((t) => t.element_id === elementId);
        await h.engine.completeUserTask(task.id, {}, tester);
      }
      // then
      assert.equal((await h.instance(started.id)).state, 'completed');
      assert.equal((await h.db('timers').where({ instance_id: started.id, state: 'active' })).length, 0);
    });
  }
});

// The event kinds the task service records (assign, delegate, return) are named in Chinese on the
// instance page's timeline and in the PDF case report alike: both read server/core/event-labels.ts.
import { strict as assert } from 'node:assert';
import { eventKindLabel } from '../../server/core/event-labels';
import { kindLabel } from '../../web-modeler/src/instance/event-labels';

describe('event kind labels', () => {
  it('names the task hand-overs the history records, on the timeline as in the report', () => {
    for (const kind of ['user-task.assigned', 'user-task.delegated', 'user-task.returned', 'user-task.escalated', 'call.completed', 'case.overdue']) {
      assert.match(kindLabel(kind), /^[\u4e00-\u9fff]+$/, `${kind} → ${kindLabel(kind)}`);
      assert.equal(kindLabel(kind), eventKindLabel(kind));
    }
    assert.equal(kindLabel('user-task.delegated'), '委托办理');
    assert.equal(kindLabel('user-task.returned'), '委托归还');
  });

  it('shows a kind it does not know as it is', () => {
    assert.equal(kindLabel('something.new'), 'something.new');
  });
});

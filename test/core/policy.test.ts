import assert from 'node:assert/strict';
import { candidateGroups, ROLES } from '../../server/core/auth-user';
import { can, policy, type Action } from '../../server/core/policy';

const user = (...roles: string[]) => ({ roles });
const actions = Object.keys(policy) as Action[];

describe('authorization policy', () => {
  it('gives auditors no action that changes anything', () => {
    const writes = actions.filter((a) => policy[a].writes && can(user('auditor'), a));
    assert.deepEqual(writes, []);
  });

  it('lets auditors read and verify every instance', () => {
    assert.ok(can(user('auditor'), 'process-instance.read-all'));
    assert.ok(can(user('auditor'), 'history.verify'));
  });

  it('never lets a policy editor work on tasks', () => {
    assert.equal(can(user('policy-editor'), 'task.work'), false);
    assert.ok(can(user('policy-editor'), 'deployment.create'));
  });

  it('lets only worker accounts use the external task API', () => {
    const allowed = ROLES.filter((r) => can(user(r), 'external-task.work'));
    assert.deepEqual(allowed, ['worker']);
  });

  it('refuses everything to a caller without roles, and to no caller', () => {
    for (const action of actions) {
      assert.equal(can(user(), action), false, action);
      assert.equal(can(undefined, action), false, action);
    }
  });

  it('grants an action when any one of the caller\'s roles allows it', () => {
    assert.ok(can(user('auditor', 'clerk'), 'task.work'));
  });
});

describe('candidate groups', () => {
  it('are the department for a clerk, plus <department>-leader for a leader', () => {
    assert.deepEqual(candidateGroups({ roles: ['clerk'], departmentId: 'hrss', unitCode: null }), ['hrss']);
    assert.deepEqual(candidateGroups({ roles: ['leader'], departmentId: 'bianban', unitCode: null }), ['bianban', 'bianban-leader']);
  });

  it('are unit:<code> for a unit clerk, never the bare "unit" group that spans units', () => {
    const groups = candidateGroups({ roles: ['unit-clerk'], departmentId: 'unit', unitCode: 'U003' });
    assert.deepEqual(groups, ['unit:U003']);
  });

  it('add supervisor:<code> for a supervising-unit clerk', () => {
    const groups = candidateGroups({ roles: ['unit-clerk', 'supervisor-clerk'], departmentId: 'unit', unitCode: 'U002' });
    assert.deepEqual(groups, ['unit:U002', 'supervisor:U002']);
  });

  it('are empty for auditors, admins, policy editors and workers', () => {
    for (const role of ['auditor', 'admin', 'policy-editor', 'worker']) {
      assert.deepEqual(candidateGroups({ roles: [role], departmentId: 'bianban', unitCode: null }), [], role);
    }
  });
});

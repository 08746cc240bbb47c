import assert from 'node:assert/strict';
import { candidateGroups, ROLES } from '../../server/core/auth-user';
import { can, caseScopeOf, canSeeTask, canWorkTask, policy, taskAccessOf, taskActions, type Action, type TaskFacts } from '../../server/core/policy';

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

describe('case scope', () => {
  it('is every unit for department staff, policy editors, auditors and admins', () => {
    for (const roles of [['clerk'], ['leader'], ['policy-editor'], ['auditor'], ['admin']]) {
      assert.deepEqual(caseScopeOf({ roles, unitId: null }), { kind: 'all' }, roles.join());
    }
  });

  it('is the own unit for a unit clerk, plus the subordinate units for a 主管部门 clerk', () => {
    assert.deepEqual(caseScopeOf({ roles: ['unit-clerk'], unitId: 'u2', supervisedUnitIds: ['u3'] }), { kind: 'units', unitIds: ['u2'] });
    assert.deepEqual(caseScopeOf({ roles: ['unit-clerk', 'supervisor-clerk'], unitId: 'u2', supervisedUnitIds: ['u3', 'u4'] }), { kind: 'units', unitIds: ['u2', 'u3', 'u4'] });
  });

  it('is nothing for a unit account without a unit, and for a worker', () => {
    assert.deepEqual(caseScopeOf({ roles: ['unit-clerk'], unitId: null }), { kind: 'units', unitIds: [] });
    assert.deepEqual(caseScopeOf({ roles: ['worker'], unitId: null }), { kind: 'units', unitIds: [] });
  });
});

describe('task access and actions', () => {
  const task = (over: Partial<TaskFacts> = {}): TaskFacts => ({ state: 'created', assignee: null, candidateGroups: ['bianban'], candidateUsers: [], unitId: 'u1', owner: null, ...over });
  const clerk = { username: 'c', roles: ['clerk'], groups: ['bianban'], unitId: null };
  const other = { username: 'd', roles: ['clerk'], groups: ['bianban'], unitId: null };
  const leader = { username: 'l', roles: ['leader'], groups: ['bianban', 'bianban-leader'], unitId: null };
  const auditor = { username: 'a', roles: ['auditor'], groups: [], unitId: null };
  const unitClerk = { username: 'u', roles: ['unit-clerk'], groups: ['unit:U1'], unitId: 'u1' };
  const supervisor = { username: 's', roles: ['unit-clerk', 'supervisor-clerk'], groups: ['unit:U2', 'supervisor:U2'], unitId: 'u2', supervisedUnitIds: ['u1'], supervisedUnitCodes: ['U1'] };

  it('offers a candidate the claim of a free task, and its holder complete, delegate and unclaim', () => {
    assert.deepEqual(taskActions(clerk, task()), ['claim']);
    assert.deepEqual(taskActions(clerk, task({ assignee: 'c' })), ['unclaim', 'complete', 'delegate']);
    assert.deepEqual(taskActions(other, task({ assignee: 'c' })), []);
  });

  it('offers a leader of the group unclaim and assign', () => {
    assert.deepEqual(taskActions(leader, task({ assignee: 'c' })), ['unclaim', 'assign']);
    assert.deepEqual(taskActions(leader, task({ candidateGroups: ['org'] })), []);
  });

  it('offers only return while a task is out on delegation, to its delegate and its owner', () => {
    const delegated = task({ assignee: 'd', owner: 'c' });
    assert.deepEqual(taskActions(other, delegated), ['return']);
    assert.deepEqual(taskActions(clerk, delegated), ['return']);
  });

  it('offers nothing on a finished task, and nothing to auditors, who see every task', () => {
    assert.deepEqual(taskActions(clerk, task({ state: 'completed', assignee: 'c' })), []);
    assert.ok(canSeeTask(taskAccessOf(auditor), task({ candidateGroups: ['org'] })));
    assert.deepEqual(taskActions(auditor, task()), []);
  });

  it("gives a unit clerk the 'unit' tasks of the own unit's cases only", () => {
    const access = taskAccessOf(unitClerk);
    assert.ok(canWorkTask(access, task({ candidateGroups: ['unit'], unitId: 'u1' })));
    assert.ok(!canSeeTask(access, task({ candidateGroups: ['unit'], unitId: 'u2' })));
    assert.ok(!canSeeTask(access, task({ candidateGroups: ['unit'], unitId: null })));
  });

  it("lets a 主管部门 clerk work 'supervisor' tasks of subordinate units and only read their unit tasks", () => {
    const access = taskAccessOf(supervisor);
    assert.ok(canWorkTask(access, task({ candidateGroups: ['supervisor'], unitId: 'u1' })));
    assert.ok(!canSeeTask(access, task({ candidateGroups: ['supervisor'], unitId: 'u3' })));
    for (const t of [task({ candidateGroups: ['unit'], unitId: 'u1' }), task({ candidateGroups: ['unit:U1'] })]) {
      assert.ok(canSeeTask(access, t) && !canWorkTask(access, t));
      assert.deepEqual(taskActions(supervisor, t), []);
    }
  });
});

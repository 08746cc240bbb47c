// The inbox's SQL (repositories/user-tasks accessClause) and the policy's functions (canSeeTask,
// canWorkTask) must agree on every user and every task: a property over random users and tasks.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { candidateGroups } from '../../server/core/auth-user';
import { canSeeTask, canWorkTask, taskAccessOf, type TaskFacts } from '../../server/core/policy';
import { accessClause, findInboxTasks, taskFacts } from '../../server/repositories/user-tasks';
import { getTestDatabase, resetDatabase } from '../support/db';
import type { Knex } from 'knex';

const UNITS = [randomUUID(), randomUUID(), randomUUID()];
const UNIT_CODES = ['U1', 'U2', 'U3'];
const NAMES = ['ann', 'bob', 'cai'];
const GROUPS = ['bianban', 'bianban-leader', 'org', 'unit', 'supervisor', 'unit:U1', 'unit:U2', 'supervisor:U1', 'supervisor:U2'];
const ROLE_SETS = [['clerk'], ['leader'], ['unit-clerk'], ['supervisor-clerk'], ['unit-clerk', 'supervisor-clerk'], ['auditor'], ['admin'], ['policy-editor'], ['worker'], ['clerk', 'unit-clerk']];

describe('task access: SQL and policy agree (property)', () => {
  let knex: Knex;
  let taskIds: string[];

  before(async () => {
    knex = (await getTestDatabase()).knex;
    await resetDatabase(knex);
    const [definition] = await knex('process_definitions').insert({ process_id: 'p', version: 1, resource_name: 'p.bpmn', xml: '<x/>', checksum: 'c', deployed_by: 't' }).returning('id');
    // given 60 random tasks of random cases
    const tasks = fc.sample(
      fc.record({
        unit: fc.option(fc.constantFrom(...UNITS), { nil: null }),
        groups: fc.subarray(GROUPS, { maxLength: 3 }),
        users: fc.subarray(NAMES, { maxLength: 2 }),
        assignee: fc.option(fc.constantFrom(...NAMES), { nil: null }),
        owner: fc.option(fc.constantFrom(...NAMES), { nil: null }),
        state: fc.constantFrom('created', 'completed'),
      }),
      { numRuns: 60, seed: 11643 },
    );
    taskIds = [];
    for (const [i, t] of tasks.entries()) {
      const [instance] = await knex('process_instances').insert({ definition_id: definition.id, process_id: 'p', version: 1, started_by: 't', variables: JSON.stringify(t.unit ? { unitId: t.unit } : {}) }).returning('id');
      const [row] = await knex('user_tasks')
        .insert({ instance_id: instance.id, process_id: 'p', element_id: 'T', execution_id: `e${i}`, state: t.state, candidate_groups: t.groups, candidate_users: t.users, assignee: t.assignee })
        .returning('id');
      if (t.owner && t.owner !== t.assignee && t.assignee) await knex('task_delegations').insert({ task_id: row.id, owner: t.owner, delegate: t.assignee });
      taskIds.push(row.id);
    }
  });

  it('returns through SQL exactly the tasks the policy lets a user see, and work', async () => {
    const facts = new Map((await findInboxTasks(knex, taskIds)).map((row) => [row.id, taskFacts(row)] as [string, TaskFacts]));
    const userArb = fc.record({
      username: fc.constantFrom(...NAMES),
      roles: fc.constantFrom(...ROLE_SETS),
      departmentId: fc.constantFrom('bianban', 'org', 'unit'),
      unit: fc.nat({ max: 2 }),
      supervised: fc.subarray([0, 1, 2]),
    });
    await fc.assert(
      fc.asyncProperty(userArb, async (u) => {
        const user = {
          username: u.username,
          roles: [...u.roles],
          unitId: UNITS[u.unit]!,
          groups: candidateGroups({ roles: [...u.roles], departmentId: u.departmentId, unitCode: UNIT_CODES[u.unit]! }),
          supervisedUnitIds: u.supervised.map((i) => UNITS[i]!),
          supervisedUnitCodes: u.supervised.map((i) => UNIT_CODES[i]!),
        };
        const access = taskAccessOf(user);
        for (const mode of ['see', 'work'] as const) {
          const rows = await accessClause(knex('user_tasks as t'), access, mode).select('t.id');
          const bySql = new Set(rows.map((r: { id: string }) => r.id));
          const byPolicy = new Set(taskIds.filter((id) => (mode === 'see' ? canSeeTask(access, facts.get(id)!) : canWorkTask(access, facts.get(id)!))));
          assert.deepEqual([...bySql].sort(), [...byPolicy].sort(), `${mode} ${JSON.stringify(u)}`);
        }
      }),
      { numRuns: 150, seed: 2026 },
    );
  });
});

// Completing a task validates the submission against its form (inbox-person), with the case's
// variables as the context of the form's conditions.
import assert from 'node:assert/strict';
import { PERSON, api, startCase } from './inbox-support';
import { startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

describe('task forms on completion', () => {
  let w: WorkflowApi;

  before(async () => {
    w = await startWorkflowApi();
    await w.deploy('inbox.task.bpmn', 'inbox.person.form');
  });

  after(async () => {
    await w?.stop();
  });

  beforeEach(async () => {
    await w.resetRuntime();
  });

  async function claimed(variables: Record<string, unknown> = {}): Promise<string> {
    const { taskId } = await startCase(w, { groups: ['bianban'], ...variables });
    assert.equal((await api(w).claim('bianban-clerk', taskId)).status, 200);
    return taskId;
  }

  it('answers 400 VALIDATION_FAILED with one zh-CN message per field and stable codes, and leaves the task open', async () => {
    // given
    const taskId = await claimed();
    // when
    const res = await api(w).complete('bianban-clerk', taskId, { personName: '张 三', idNumber: '110105194912310021', spouseName: '李四', salary: -5, extra: 1 });
    // then
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    assert.deepEqual(res.body.error.details, [
      { field: '/extra', code: 'UNKNOWN_FIELD', message: '表单中没有此字段' },
      { field: '/personName', code: 'PERSON_NAME', message: '姓名应为 2–20 个汉字或字母，不含空格' },
      { field: '/idNumber', code: 'ID_NUMBER', message: '身份证号码校验位不正确' },
      { field: '/spouseName', code: 'HIDDEN_FIELD', message: '配偶姓名当前不显示，不能提交' },
      { field: '/salary', code: 'MIN', message: '月工资不能小于 0' },
    ]);
    assert.equal((await w.t.db.knex('user_tasks').where({ id: taskId }).first()).state, 'created');
  });

  it("shows a group when the case's variables say so, and then requires its fields", async () => {
    const taskId = await claimed({ transferIn: true });
    const missing = await api(w).complete('bianban-clerk', taskId, { ...PERSON });
    assert.deepEqual(missing.body.error.details, [{ field: '/formerUnit', code: 'REQUIRED', message: '原单位名称为必填项' }]);
    assert.equal((await api(w).complete('bianban-clerk', taskId, { ...PERSON, formerUnit: '外区某局' })).status, 204);
  });

  it('completes with a valid submission and hands its variables to the case', async () => {
    const taskId = await claimed();
    const res = await api(w).complete('bianban-clerk', taskId, { ...PERSON, hasSpouse: true, spouseName: '李四', birthDate: '1949-12-31' });
    assert.equal(res.status, 204);
    const instance = await w.t.db.knex('user_tasks as t').join('process_instances as i', 'i.id', 't.instance_id').where('t.id', taskId).first('i.variables', 'i.state');
    assert.equal(instance.state, 'completed');
    assert.equal(instance.variables.spouseName, '李四');
  });
});

// checkDeployable's element-template rule: a task naming a template (zeebe:modelerTemplate) must name a
// known one and still hold what the template fixes (job type, retries, user-task group and form).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkDeployable } from '../../server/engine/deploy-checks';
import { ELEMENT_TEMPLATE_MISMATCH, type ElementTemplate } from '../../server/engine/element-templates';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8');
const recruitment = () => readFileSync(fileURLToPath(new URL('../../processes/staff-add-recruitment.bpmn', import.meta.url)), 'utf8');
const templateFindings = async (xml: string, elementTemplates?: readonly ElementTemplate[]) =>
  (await checkDeployable(xml, elementTemplates ? { elementTemplates } : {})).findings.filter((f) => f.rule === ELEMENT_TEMPLATE_MISMATCH);

const QUOTA_CHECK = '<zeebe:taskDefinition type="quota.check" retries="3" />';

/** The valid fixture's service task, with a template named and its task definition replaced. */
function templatedServiceTask(template: string, taskDefinition = QUOTA_CHECK): string {
  return fixture('lint.valid-service-task.bpmn')
    .replace('<bpmn:serviceTask id="Task_CheckQuota" name="核查可用编制">', `<bpmn:serviceTask id="Task_CheckQuota" name="核查可用编制" zeebe:modelerTemplate="${template}" zeebe:modelerTemplateVersion="1">`)
    .replace(QUOTA_CHECK, taskDefinition);
}

describe('deploy checks: element templates', () => {
  it('accepts the templated tasks of the shipped diagrams', async () => {
    // given the Z1 diagram, whose service tasks all name their template
    // when / then
    assert.deepEqual(await templateFindings(recruitment()), []);
  });

  it('accepts a task that holds what its template fixes', async () => {
    assert.deepEqual(await templateFindings(templatedServiceTask('bianzhi-flow.quota.check')), []);
  });

  it('refuses a task whose job type differs from its template, naming the template', async () => {
    // given
    const xml = templatedServiceTask('bianzhi-flow.quota.check', '<zeebe:taskDefinition type="quota.reserve" retries="3" />');
    // when
    const findings = await templateFindings(xml);
    // then
    assert.equal(findings.length, 1);
    assert.equal(findings[0].id, 'Task_CheckQuota');
    assert.equal(findings[0].category, 'error');
    assert.match(findings[0].message, /与元素模板「用编许可自动审查（quota\.check）」不一致：任务类型.*应为 quota\.check，实际为 quota\.reserve/);
  });

  it('refuses a task whose locked retries differ from its template', async () => {
    const findings = await templateFindings(templatedServiceTask('bianzhi-flow.quota.check', '<zeebe:taskDefinition type="quota.check" retries="9" />'));
    assert.deepEqual(findings.map((f) => f.id), ['Task_CheckQuota']);
    assert.match(findings[0].message, /重试次数 \(retries\) 应为 3，实际为 9/);
  });

  it('refuses a task naming a template that does not exist', async () => {
    const findings = await templateFindings(templatedServiceTask('bianzhi-flow.no-such-template'));
    assert.deepEqual(findings.map((f) => f.id), ['Task_CheckQuota']);
    assert.match(findings[0].message, /元素模板 bianzhi-flow\.no-such-template 不存在/);
  });

  it('refuses a change of Z1 that breaks a template, and the deployment checks report it as an error', async () => {
    // given Z1 with the job type of 用编许可自动审查 edited by hand
    const xml = recruitment().replace(QUOTA_CHECK, '<zeebe:taskDefinition type="quota.checks" retries="3" />');
    // when
    const { findings } = await checkDeployable(xml);
    // then
    const errors = findings.filter((f) => f.category === 'error');
    assert.deepEqual(errors.map((f) => [f.id, f.rule]), [['Task_CheckQuota', ELEMENT_TEMPLATE_MISMATCH]]);
  });

  it('checks the user-task template 主管部门审核: element type, <zeebe:userTask/>, group and form', async () => {
    // given the approval task of the valid fixture, templated as 主管部门审核 but with 编办's group and form
    const xml = fixture('lint.valid-service-task.bpmn').replace(
      '<bpmn:userTask id="Task_ApproveQuotaUse" name="编办审批用编">',
      '<bpmn:userTask id="Task_ApproveQuotaUse" name="编办审批用编" zeebe:modelerTemplate="bianzhi-flow.supervisor-review" zeebe:modelerTemplateVersion="1">',
    );
    // when
    const findings = await templateFindings(xml);
    // then: the form and the group differ; <zeebe:userTask/> is there
    assert.deepEqual(findings.map((f) => f.id), ['Task_ApproveQuotaUse', 'Task_ApproveQuotaUse']);
    assert.match(findings[0].message, /「表单」.*应为 supervisor-review，实际为 form-approve-quota-use/);
    assert.match(findings[1].message, /候选组.*应为 supervisor，实际为 bianban/);
    // and with the template's values it passes
    const fixed = xml.replace('formId="form-approve-quota-use"', 'formId="supervisor-review"').replace('candidateGroups="bianban"', 'candidateGroups="supervisor"');
    assert.deepEqual(await templateFindings(fixed), []);
    // without <zeebe:userTask/> the template's marker is missing
    assert.match((await templateFindings(fixed.replace('<zeebe:userTask />', '')))[0].message, /<zeebe:userTask\/> 应为 已设置，实际为 未设置/);
  });

  it('refuses an element of another type than the template makes', async () => {
    const template: ElementTemplate = {
      id: 'test.user',
      name: '测试用户任务',
      appliesTo: ['bpmn:Task'],
      elementType: { value: 'bpmn:UserTask' },
      properties: [],
    };
    const findings = await templateFindings(templatedServiceTask('test.user'), [template]);
    assert.match(findings[0].message, /应为 bpmn:UserTask，实际为 bpmn:ServiceTask/);
  });

  it('ignores fields the template leaves editable and conditional ones', async () => {
    const template: ElementTemplate = {
      id: 'test.editable',
      name: '可编辑',
      appliesTo: ['bpmn:Task'],
      properties: [
        { type: 'Hidden', value: 'quota.check', binding: { type: 'zeebe:taskDefinition', property: 'type' } },
        { type: 'String', value: '5', binding: { type: 'zeebe:taskDefinition', property: 'retries' } },
        { type: 'Hidden', value: 'x', condition: { property: 'p', equals: 'y' }, binding: { type: 'zeebe:taskHeader', key: 'mode' } },
      ],
    };
    assert.deepEqual(await templateFindings(templatedServiceTask('test.editable'), [template]), []);
  });
});

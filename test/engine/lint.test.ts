import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';

import {
  checkDeployable,
  ONE_PROCESS_PER_FILE,
  checkSupportedByEmbeddedEngine,
  EMBEDDED_ENGINE_SUPPORT,
  GATEWAY_FLOW_CONDITIONS,
  JOIN_AFTER_LOOP,
  PARALLEL_JOIN_AFTER_EXCLUSIVE_SPLIT,
} from '../../server/engine/deploy-checks';
import { lintBpmn, lintErrors, parseBpmn, type LintFinding } from '../../server/engine/lint';

function fixture(name: string): Promise<string> {
  return readFile(new URL(`../fixtures/${name}.bpmn`, import.meta.url), 'utf8');
}

function findingsOf(findings: LintFinding[], rule: string, id?: string): LintFinding[] {
  return findings.filter((finding) => finding.rule === rule && (id === undefined || finding.id === id));
}

/** Prints the findings when an assertion fails, so a broken fixture explains itself. */
function show(findings: LintFinding[]): string {
  return findings.map((f) => `${f.category} ${f.rule} ${f.id}: ${f.message}`).join('\n');
}

describe('engine/lint', function () {

  describe('lintBpmn', function () {

    it('finds nothing in a correct Zeebe 8.6 diagram with a service task and a user task', async function () {
      // given
      const xml = await fixture('lint.valid-service-task');

      // when
      const findings = await lintBpmn(xml);

      // then
      assert.deepEqual(findings, [], show(findings));
    });

    it('finds nothing in a correct diagram that uses every construct the embedded engine runs', async function () {
      // given
      const xml = await fixture('lint.valid-supported-constructs');

      // when
      const findings = await lintBpmn(xml);

      // then
      assert.deepEqual(findings, [], show(findings));
    });

    it('reports no false duplicates when the same diagram is linted twice in a row', async function () {
      // given
      const xml = await fixture('lint.valid-supported-constructs');
      await lintBpmn(xml);

      // when
      const second = await lintBpmn(xml);

      // then
      assert.deepEqual(findingsOf(second, 'no-duplicate-sequence-flows'), []);
      assert.deepEqual(second, [], show(second));
    });

    it('reports the same findings when a faulty diagram is linted twice', async function () {
      // given
      const xml = await fixture('lint.missing-task-type');

      // when
      const first = await lintBpmn(xml);
      const second = await lintBpmn(xml);

      // then
      assert.ok(first.length > 0);
      assert.deepEqual(second, first);
    });

    it('reports a service task without a job type on the task (camunda-compat)', async function () {
      // given
      const xml = await fixture('lint.missing-task-type');

      // when
      const findings = await lintBpmn(xml);

      // then
      const [finding] = findingsOf(findings, 'camunda-compat/implementation', 'Task_CheckQuota');
      assert.equal(finding?.category, 'error', show(findings));
    });

    it('reports a task without flows as disconnected', async function () {
      // given
      const xml = await fixture('lint.disconnected-task');

      // when
      const findings = await lintBpmn(xml);

      // then
      assert.equal(findingsOf(findings, 'no-disconnected', 'Task_Orphan')[0]?.category, 'error', show(findings));
      assert.deepEqual(findingsOf(findings, 'no-disconnected', 'Task_CheckQuota'), []);
    });

    it('reports outgoing flows of an exclusive gateway without condition or default on each flow', async function () {
      // given
      const xml = await fixture('lint.missing-condition');

      // when
      const findings = await lintBpmn(xml);

      // then
      const flows = findingsOf(findings, 'camunda-compat/sequence-flow-condition').map((finding) => finding.id);
      assert.deepEqual(flows.sort(), ['Flow_Institutional', 'Flow_Other'], show(findings));
    });

    it('reports a message without zeebe:subscription on the receive task (camunda-compat)', async function () {
      // given
      const xml = await fixture('lint.missing-correlation-key');

      // when
      const findings = await lintBpmn(xml);

      // then
      assert.equal(findingsOf(findings, 'camunda-compat/subscription', 'Task_WaitForConfirmation').length, 1, show(findings));
    });

    it('reports malformed XML as an xml-parse error instead of rejecting', async function () {
      // given
      const xml = await fixture('lint.malformed-xml');

      // when
      const findings = await lintBpmn(xml);

      // then
      assert.equal(findings.length, 1, show(findings));
      assert.equal(findings[0]?.rule, 'xml-parse');
      assert.equal(findings[0]?.category, 'error');
      assert.match(findings[0]?.message ?? '', /unexpected end of file/);
    });

    it('reports an unresolved reference as an xml-parse error on the referencing flow', async function () {
      // given
      const xml = await fixture('lint.unresolved-reference');

      // when
      const findings = await lintBpmn(xml);

      // then
      const [finding] = findingsOf(findings, 'xml-parse', 'Flow_ToApproved');
      assert.equal(finding?.category, 'error', show(findings));
      assert.match(finding?.message ?? '', /unresolved reference <EndEvent_Missing>/);
    });

    it('reports an unknown zeebe element with its line as an xml-parse error', async function () {
      // given
      const xml = (await fixture('lint.valid-service-task')).replace('<zeebe:userTask />', '<zeebe:userTsak />');

      // when
      const findings = await lintBpmn(xml);

      // then
      const [finding] = findingsOf(findings, 'xml-parse');
      assert.equal(finding?.category, 'error', show(findings));
      assert.match(finding?.message ?? '', /<zeebe:userTsak>.*line 16/);
    });

    it('warns when the diagram was modelled for a newer Zeebe than the one we run', async function () {
      // given
      const xml = (await fixture('lint.valid-service-task')).replace('executionPlatformVersion="8.6.0"', 'executionPlatformVersion="8.8.0"');

      // when
      const findings = await lintBpmn(xml);

      // then
      const [finding] = findingsOf(findings, 'execution-platform', 'Definitions_lint_valid_service_task');
      assert.equal(finding?.category, 'warn', show(findings));
      assert.deepEqual(lintErrors(findings), []);
    });

    it('reports a diagram modelled for Camunda 7 as an error', async function () {
      // given
      const xml = (await fixture('lint.valid-service-task')).replace('modeler:executionPlatform="Camunda Cloud"', 'modeler:executionPlatform="Camunda Platform"');

      // when
      const findings = await lintBpmn(xml);

      // then
      assert.equal(findingsOf(findings, 'execution-platform')[0]?.category, 'error', show(findings));
    });

    it('lints against the camunda-compat config of the requested Zeebe version', async function () {
      // given: ad-hoc subprocesses exist in Zeebe from 8.7 on
      const xml = await fixture('lint.unsupported-elements');

      // when
      const for86 = await lintBpmn(xml);
      const for87 = await lintBpmn(xml, { executionPlatformVersion: '8.7.0' });

      // then
      assert.equal(findingsOf(for86, 'camunda-compat/element-type', 'SubProcess_AdHoc').length, 1, show(for86));
      assert.deepEqual(findingsOf(for87, 'camunda-compat/element-type', 'SubProcess_AdHoc'), []);
    });

    it('rejects a Zeebe version that camunda-compat has no config for', async function () {
      // given
      const xml = await fixture('lint.valid-service-task');

      // when
      const linting = lintBpmn(xml, { executionPlatformVersion: '9.1' });

      // then
      await assert.rejects(linting, /no camunda-compat config for Zeebe version "9\.1"/);
    });
  });

  describe('lintErrors', function () {

    it('keeps the errors and drops the warnings', function () {
      // given
      const error: LintFinding = { id: 'Task_A', rule: 'no-disconnected', message: 'Element is not connected', category: 'error' };
      const warning: LintFinding = { id: 'Task_B', rule: 'label-required', message: 'Element is missing label/name', category: 'warn' };

      // when
      const errors = lintErrors([warning, error]);

      // then
      assert.deepEqual(errors, [error]);
    });
  });

  describe('checkDeployable', function () {

    it('returns the executable process id and no findings for a diagram of supported constructs', async function () {
      // given
      const xml = await fixture('lint.valid-supported-constructs');

      // when
      const { processIds, findings } = await checkDeployable(xml);

      // then
      assert.deepEqual(processIds, ['lint-valid-supported-constructs']);
      assert.deepEqual(findings, [], show(findings));
    });

    it('refuses a file with two executable processes: a deployed version is one process per file', async function () {
      // given
      const process = (id: string) => `<bpmn:process id="${id}" isExecutable="true"><bpmn:startEvent id="Start_${id}" /></bpmn:process>`;
      const xml = `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_Two" targetNamespace="http://bpmn.io/schema/bpmn">${process('first')}${process('second')}</bpmn:definitions>`;

      // when
      const { processIds, findings } = await checkDeployable(xml);

      // then
      assert.deepEqual(processIds, ['first', 'second']);
      const [finding] = findings.filter((f) => f.rule === ONE_PROCESS_PER_FILE);
      assert.equal(finding?.category, 'error', show(findings));
      assert.match(finding!.message, /一个文件只能包含一个可执行流程，实际 2 个/);
    });

    it('refuses a signal event on the event, in zh-CN and English', async function () {
      // given
      const xml = await fixture('lint.signal-event');

      // when
      const { processIds, findings } = await checkDeployable(xml);

      // then
      assert.deepEqual(processIds, ['lint-signal-event']);
      const [finding] = findingsOf(findings, EMBEDDED_ENGINE_SUPPORT, 'Event_WaitForQuotaReleased');
      assert.equal(finding?.category, 'error', show(findings));
      assert.equal(
        finding?.message,
        '嵌入式引擎不支持 信号事件 (bpmn:SignalEventDefinition) — embedded engine does not support signal events',
      );
    });

    it('refuses a service task without a job type', async function () {
      // given
      const xml = await fixture('lint.missing-task-type');

      // when
      const { findings } = await checkDeployable(xml);

      // then
      const [finding] = findingsOf(findings, EMBEDDED_ENGINE_SUPPORT, 'Task_CheckQuota');
      assert.match(finding?.message ?? '', /zeebe:taskDefinition type/, show(findings));
    });

    it('refuses a receive task whose message has no correlation key', async function () {
      // given
      const xml = await fixture('lint.missing-correlation-key');

      // when
      const { findings } = await checkDeployable(xml);

      // then
      const [finding] = findingsOf(findings, EMBEDDED_ENGINE_SUPPORT, 'Task_WaitForConfirmation');
      assert.match(finding?.message ?? '', /correlationKey/, show(findings));
    });

    const unsupported: Array<[id: string, what: string, message: RegExp]> = [
      ['Task_FeelScript', 'a script task with a FEEL script', /zeebe:script/],
      ['Task_SendWithoutType', 'a send task without a job type', /zeebe:taskDefinition type/],
      ['Task_DmnDecision', 'a business rule task calling a DMN decision', /zeebe:calledDecision/],
      ['Event_ThrowEscalation', 'an escalation event', /升级事件.*escalation events/],
      ['Event_TimerWithoutDefinition', 'a timer without date, duration or cycle', /timeDate \/ timeDuration \/ timeCycle/],
      ['Event_WaitWithoutKey', 'a message catch event without a correlation key', /correlationKey/],
      ['Event_Conditional', 'a conditional event', /条件事件.*conditional events/],
      ['Call_WithoutProcessId', 'a call activity without a process id', /zeebe:calledElement processId/],
      ['Task_MultiInstanceWithoutCollection', 'a multi-instance without input collection or cardinality', /inputCollection/],
      ['Task_StandardLoop', 'a standard loop', /标准循环.*standard loops/],
      ['Gateway_Complex', 'a complex gateway', /复杂网关.*complex gateways/],
      ['Task_JobBasedUserTask', 'a user task without <zeebe:userTask/>', /zeebe:userTask/],
      ['Task_WithExecutionListener', 'execution listeners', /执行监听器.*execution listeners/],
      ['SubProcess_Transaction', 'a transaction', /事务子流程.*transaction subprocesses/],
      ['SubProcess_AdHoc', 'an ad-hoc subprocess', /特设子流程.*ad-hoc subprocesses/],
      ['Event_ThrowSignal', 'a signal throw event', /信号事件.*signal events/],
      ['Event_ThrowLink', 'a link event', /链接事件.*link events/],
      ['SubProcess_OnEscalation', 'an event subprocess', /事件子流程.*event subprocesses/],
      ['Task_Undo', 'a compensation handler', /补偿处理活动.*compensation handlers/],
    ];

    for (const [id, what, message] of unsupported) {
      it(`refuses ${what} on ${id}`, async function () {
        // given
        const xml = await fixture('lint.unsupported-elements');

        // when
        const { findings } = await checkDeployable(xml);

        // then
        const refused = findingsOf(findings, EMBEDDED_ENGINE_SUPPORT, id);
        assert.equal(refused.length, 1, show(findings));
        assert.equal(refused[0]?.category, 'error');
        assert.match(refused[0]?.message ?? '', message);
      });
    }

    it('refuses nothing that the unsupported-elements fixture does not name', async function () {
      // given
      const xml = await fixture('lint.unsupported-elements');

      // when
      const { findings } = await checkDeployable(xml);

      // then
      const refusedIds = findingsOf(findings, EMBEDDED_ENGINE_SUPPORT).map((finding) => finding.id);
      assert.deepEqual(refusedIds.sort(), unsupported.map(([id]) => id).sort());
    });

    it('reports a parallel join fed by two branches of one exclusive gateway on the join', async function () {
      // given
      const xml = await fixture('lint.parallel-join-after-xor');

      // when
      const { findings } = await checkDeployable(xml);

      // then
      const joins = findingsOf(findings, PARALLEL_JOIN_AFTER_EXCLUSIVE_SPLIT);
      assert.deepEqual(joins.map((finding) => [finding.id, finding.category]), [['Gateway_Join', 'error']], show(findings));
      assert.match(joins[0]?.message ?? '', /Gateway_Route/);
      assert.match(joins[0]?.message ?? '', /Flow_KeyUnit, Flow_Normal/);
    });

    it('refuses a parallel join that follows a send-back loop in the same scope, naming the loop', async function () {
      // given: 申请 → 通过? → (退回 → 申请) | 并联 → 甲 ∥ 乙 → 汇合
      const xml = await fixture('lint.join-after-loop');

      // when
      const { findings } = await checkDeployable(xml);

      // then
      const joins = findingsOf(findings, JOIN_AFTER_LOOP);
      assert.deepEqual(joins.map((finding) => [finding.id, finding.category]), [['Gateway_Join', 'error']], show(findings));
      assert.match(joins[0]?.message ?? '', /子流程/);
    });

    it('accepts the parallel review of Z1, whose join sits in a sub-process away from the loops', async function () {
      // given
      const xml = await readFile(new URL('../../processes/staff-add-recruitment.bpmn', import.meta.url), 'utf8');

      // when
      const { findings } = await checkDeployable(xml);

      // then
      assert.deepEqual(findingsOf(findings, JOIN_AFTER_LOOP), []);
    });

    it('does not report a parallel join after a parallel fork', async function () {
      // given: Gateway_Join follows Gateway_Fork
      const xml = await fixture('lint.valid-supported-constructs');

      // when
      const { findings } = await checkDeployable(xml);

      // then
      assert.deepEqual(findingsOf(findings, PARALLEL_JOIN_AFTER_EXCLUSIVE_SPLIT), []);
    });

    it('warns on the gateway when some outgoing flows lack a condition and none is the default', async function () {
      // given
      const xml = await fixture('lint.missing-condition');

      // when
      const { findings } = await checkDeployable(xml);

      // then
      const [finding] = findingsOf(findings, GATEWAY_FLOW_CONDITIONS, 'Gateway_Route');
      assert.equal(finding?.category, 'warn', show(findings));
      assert.match(finding?.message ?? '', /Flow_Institutional, Flow_Other/);
    });

    it('reports a diagram without an executable process', async function () {
      // given
      const xml = await fixture('lint.not-executable');

      // when
      const { processIds, findings } = await checkDeployable(xml);

      // then
      assert.deepEqual(processIds, []);
      const [finding] = findingsOf(findings, 'executable-process', 'Definitions_lint_not_executable');
      assert.equal(finding?.category, 'error', show(findings));
    });

    it('returns the xml-parse error and no process ids for malformed XML', async function () {
      // given
      const xml = await fixture('lint.malformed-xml');

      // when
      const { processIds, findings } = await checkDeployable(xml);

      // then
      assert.deepEqual(processIds, []);
      assert.deepEqual(findings.map((finding) => finding.rule), ['xml-parse']);
    });
  });

  describe('checkSupportedByEmbeddedEngine', function () {

    it('checks the definitions parseBpmn read', async function () {
      // given
      const { definitions } = await parseBpmn(await fixture('lint.signal-event'));
      assert.ok(definitions);

      // when
      const findings = checkSupportedByEmbeddedEngine(definitions);

      // then
      assert.deepEqual(findings.map((finding) => [finding.rule, finding.id]), [[EMBEDDED_ENGINE_SUPPORT, 'Event_WaitForQuotaReleased']]);
    });

    it('skips processes that are not executable', async function () {
      // given
      const { definitions } = await parseBpmn((await fixture('lint.signal-event')).replace('isExecutable="true"', 'isExecutable="false"'));
      assert.ok(definitions);

      // when
      const findings = checkSupportedByEmbeddedEngine(definitions);

      // then
      assert.deepEqual(findings, []);
    });
  });
});

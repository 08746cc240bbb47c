// The nine workflow diagrams as files: each names only job types that have a handler and forms that
// exist, every user task has a department, a form and a time limit that escalates, the diagrams are
// drawn (diagram interchange for every element) with readable ids and Chinese labels, templated
// tasks match their element template, and they lint clean for camunda-compat 8.6 and later.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPARTMENTS } from '../../server/core/auth-user';
import { PROCESSES_DIR } from '../../server/engine/bundled-processes';
import { lintBpmn, lintErrors, parseBpmn, type ModdleElement } from '../../server/engine/lint';
import { workers } from '../../workers/registry';

const NINE = [
  'staff-add-recruitment', 'staff-add-transfer-in', 'staff-add-placement',
  'staff-reduce-retirement', 'staff-reduce-transfer-out', 'staff-reduce-exit',
  'staff-adjust-transfer', 'staff-adjust-post', 'staff-adjust-establishment-type',
];
const GROUPS = new Set<string>([...DEPARTMENTS.map((d) => d.id), 'bianban-leader', 'supervisor']);
const CJK = /\p{Script=Han}/u;

type El = ModdleElement & Record<string, any>;

function flowElements(container: El): El[] {
  const out: El[] = [];
  for (const el of (container.flowElements ?? []) as El[]) {
    out.push(el);
    if (el.$type === 'bpmn:SubProcess') out.push(...flowElements(el));
  }
  return out;
}

function ext(el: El, type: string): El | undefined {
  return ((el.extensionElements?.values ?? []) as El[]).find((v) => v.$type === type);
}

// job-worker templates (one per job type) by id; user-task templates (e.g. 主管部门审核) fix a group and a form instead
const templates = new Map<string, { jobType: string; id: string }>();
const userTaskTemplates: Array<{ id: string; formId: string; groups: string }> = [];
for (const name of readdirSync(join(PROCESSES_DIR, 'element-templates')).filter((n) => n.endsWith('.json'))) {
  const t = JSON.parse(readFileSync(join(PROCESSES_DIR, 'element-templates', name), 'utf8'));
  const bound = (type: string, property?: string) => t.properties.find((p: { binding: { type: string; property?: string } }) => p.binding.type === type && p.binding.property === property)?.value;
  if (t.elementType?.value === 'bpmn:UserTask') {
    userTaskTemplates.push({ id: t.id, formId: bound('zeebe:formDefinition', 'formId'), groups: bound('zeebe:assignmentDefinition', 'candidateGroups') });
  } else {
    templates.set(t.id, { jobType: bound('zeebe:taskDefinition', 'type'), id: t.id });
  }
}
const handlers = new Set(workers.map((w) => w.jobType));

describe('the nine workflow diagrams (processes/)', () => {
  it('has exactly one file per workflow, named after its process id', () => {
    const files = readdirSync(PROCESSES_DIR).filter((f) => f.endsWith('.bpmn')).map((f) => f.replace(/\.bpmn$/, '')).sort();
    assert.deepEqual(files, [...NINE].sort());
  });

  it('has one element template per registered job type, and none for a job type without a handler', () => {
    assert.deepEqual([...templates.values()].map((t) => t.jobType).sort(), [...handlers].sort());
  });

  it('has user-task templates only with an existing form and known candidate groups', () => {
    for (const t of userTaskTemplates) {
      assert.ok(t.formId && existsSync(join(PROCESSES_DIR, 'forms', `${t.formId}.form`)), `${t.id}: form ${t.formId} missing`);
      assert.ok(t.groups, `${t.id}: no candidate groups`);
      for (const g of t.groups.split(',')) assert.ok(GROUPS.has(g.trim()), `${t.id}: unknown group ${g}`);
    }
  });

  for (const processId of NINE) {
    describe(processId, () => {
      let xml: string;
      let process: El;
      let elements: El[];
      let definitions: El;

      before(async () => {
        xml = readFileSync(join(PROCESSES_DIR, `${processId}.bpmn`), 'utf8');
        const parsed = await parseBpmn(xml);
        assert.deepEqual(parsed.findings, []);
        definitions = parsed.definitions as El;
        process = (definitions.rootElements as El[]).find((e) => e.$type === 'bpmn:Process')!;
        elements = flowElements(process);
      });

      it('is the executable process of its file, with a Chinese name', () => {
        assert.equal(process.id, processId);
        assert.equal(process.isExecutable, true);
        assert.match(String(process.name), CJK);
      });

      it('names only job types that have a handler, each task matching its element template', () => {
        const tasks = elements.filter((e) => e.$type === 'bpmn:ServiceTask');
        assert.ok(tasks.length > 0);
        for (const task of tasks) {
          const type = ext(task, 'zeebe:TaskDefinition')?.type;
          assert.ok(handlers.has(type), `${task.id}: job type ${type} has no handler in workers/registry.ts`);
          const template = templates.get(task.modelerTemplate);
          assert.ok(template, `${task.id}: no element template ${task.modelerTemplate}`);
          assert.equal(template.jobType, type, `${task.id} does not match its template`);
        }
      });

      it('gives every user task a department, an existing form and a time limit that escalates', () => {
        const users = elements.filter((e) => e.$type === 'bpmn:UserTask');
        assert.ok(users.length > 0);
        for (const task of users) {
          const formId = ext(task, 'zeebe:FormDefinition')?.formId;
          assert.ok(formId && existsSync(join(PROCESSES_DIR, 'forms', `${formId}.form`)), `${task.id}: form ${formId} missing`);
          const groups = String(ext(task, 'zeebe:AssignmentDefinition')?.candidateGroups ?? '');
          assert.ok(groups, `${task.id}: no candidate groups`);
          if (!groups.startsWith('=')) for (const g of groups.split(',')) assert.ok(GROUPS.has(g.trim()), `${task.id}: unknown group ${g}`);
          const timer = elements.find((e) => e.$type === 'bpmn:BoundaryEvent' && e.attachedToRef?.id === task.id && e.eventDefinitions?.[0]?.$type === 'bpmn:TimerEventDefinition');
          assert.ok(timer, `${task.id}: no time-limit timer`);
          assert.equal(timer.cancelActivity, false, `${timer.id} must not interrupt the step`);
          const next = timer.outgoing[0].targetRef;
          assert.equal(ext(next, 'zeebe:TaskDefinition')?.type, 'task.escalate', `${timer.id} must lead to an escalation`);
        }
        // the planner of time limits knows every user task
        const plan = elements.find((e) => ext(e, 'zeebe:TaskDefinition')?.type === 'time-limits.plan')!;
        const listed = ((ext(plan, 'zeebe:TaskHeaders')?.values ?? []) as El[]).find((h) => h.key === 'elements')!.value.split(',');
        assert.deepEqual([...listed].sort(), users.map((u) => u.id).sort());
      });

      it('uses readable ids and Chinese labels', () => {
        for (const el of elements) {
          assert.doesNotMatch(String(el.id), /^(Activity|Event|Gateway|Flow)_[0-9a-z]{7}$/, `${el.id} is a generated id`);
          if (/Task|SubProcess|StartEvent|EndEvent/.test(el.$type)) assert.match(el.name ?? '', CJK, `${el.id} has no Chinese label`);
        }
      });

      it('draws every element (diagram interchange)', () => {
        const drawn = new Set([...xml.matchAll(/bpmnElement="([^"]+)"/g)].map((m) => m[1]));
        for (const el of elements) assert.ok(drawn.has(String(el.id)), `${el.id} is not drawn`);
      });

      for (const version of ['8.6', '8.7', '8.8']) {
        it(`lints clean for camunda-compat ${version}`, async () => {
          const findings = await lintBpmn(xml, { executionPlatformVersion: version });
          assert.deepEqual(lintErrors(findings), []);
          assert.deepEqual(findings.filter((f) => f.rule !== 'execution-platform'), [], JSON.stringify(findings));
        });
      }
    });
  }

  it('has J1–J3 carry the 10-working-day limit on the 减员 steps and put 编办 销编 last', async () => {
    for (const processId of ['staff-reduce-retirement', 'staff-reduce-transfer-out', 'staff-reduce-exit']) {
      const { definitions } = await parseBpmn(readFileSync(join(PROCESSES_DIR, `${processId}.bpmn`), 'utf8'));
      const process = ((definitions as El).rootElements as El[]).find((e) => e.$type === 'bpmn:Process')!;
      const plan = flowElements(process).find((e) => ext(e, 'zeebe:TaskDefinition')?.type === 'time-limits.plan')!;
      assert.equal(((ext(plan, 'zeebe:TaskHeaders')?.values ?? []) as El[]).find((h) => h.key === 'caseWorkingDays')?.value, '10');
      const sub = flowElements(process).find((e) => e.$type === 'bpmn:SubProcess')!;
      const deadline = flowElements(process).find((e) => e.$type === 'bpmn:BoundaryEvent' && e.attachedToRef?.id === sub.id)!;
      assert.equal(deadline.eventDefinitions[0].timeDate.body, '=caseDeadline');
      // 工资 → 社保 → 财政 first; the 编办 step and 出编 last in the sub-process
      const order: string[] = [];
      let el: El | undefined = (sub.flowElements as El[]).find((e) => e.$type === 'bpmn:StartEvent');
      while (el && el.outgoing?.length) {
        el = el.outgoing[0].targetRef;
        order.push(ext(el!, 'zeebe:AssignmentDefinition')?.candidateGroups ?? ext(el!, 'zeebe:TaskDefinition')?.type ?? el!.$type);
      }
      const firstBianban = order.indexOf('bianban');
      for (const dept of ['hrss', 'insurance', 'finance']) assert.ok(order.indexOf(dept) !== -1 && order.indexOf(dept) < firstBianban, `${processId}: ${dept} before 编办 (${order.join(' → ')})`);
      assert.ok(order.indexOf('quota.vacate') > firstBianban);
    }
  });

  it('has at least one parallel review where two departments check at once', async () => {
    const { definitions } = await parseBpmn(readFileSync(join(PROCESSES_DIR, 'staff-add-recruitment.bpmn'), 'utf8'));
    const process = ((definitions as El).rootElements as El[]).find((e) => e.$type === 'bpmn:Process')!;
    const split = flowElements(process).find((e) => e.$type === 'bpmn:ParallelGateway' && e.outgoing.length === 2)!;
    const reached = (start: El): string[] => {
      const groups: string[] = [];
      let el: El | undefined = start;
      while (el && el.$type !== 'bpmn:ParallelGateway') {
        const g = ext(el, 'zeebe:AssignmentDefinition')?.candidateGroups;
        if (g) groups.push(g);
        el = el.outgoing?.[0]?.targetRef;
      }
      return groups;
    };
    const branches = split.outgoing.map((f: El) => reached(f.targetRef));
    assert.deepEqual(branches.flat().sort(), ['finance', 'insurance']);
  });

  it('notifies the 老干部局 at the end of J1', async () => {
    const { definitions } = await parseBpmn(readFileSync(join(PROCESSES_DIR, 'staff-reduce-retirement.bpmn'), 'utf8'));
    const process = ((definitions as El).rootElements as El[]).find((e) => e.$type === 'bpmn:Process')!;
    const end = (process.flowElements as El[]).find((e) => e.id === 'EndEvent_Done')!;
    assert.equal(ext(end.incoming[0].sourceRef, 'zeebe:TaskDefinition')?.type, 'notify.veterans-bureau');
  });
});

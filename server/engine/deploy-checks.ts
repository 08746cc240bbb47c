/**
 * What the embedded engine (bpmn-engine + our Zeebe adapter) can run, checked before a deployment,
 * on top of the lint in `./lint`. bpmn-engine knows BPMN 2.0, not Zeebe: an element it runs
 * differently from Zeebe, or that our adapter does not implement, is refused here with a message
 * in zh-CN and English rather than discovered by a stuck or silently wrong instance.
 *
 * Runs (everything else is refused):
 * - start events: none, message (no correlation key needed), timer
 * - end events: none, error, terminate; intermediate throw: none
 * - service, send, business-rule and script tasks with a `zeebe:taskDefinition` type (job workers)
 * - user tasks with `<zeebe:userTask/>` (assignment, form, schedule): the inbox lists Camunda user
 *   tasks only, a job-based user task would reach no one
 * - receive tasks and message catch / boundary events whose message has a `zeebe:subscription`
 *   correlationKey; timer catch / boundary events with a date, duration or cycle; error boundary events
 * - exclusive, parallel, inclusive, event-based gateways; embedded subprocesses; call activities
 *   with `zeebe:calledElement processId`; multi-instance with an input collection (or cardinality);
 *   manual tasks and untyped tasks (both pass straight through)
 *
 * Also checked, as their own rules:
 * - `gateway-flow-conditions` (warn): an exclusive / inclusive gateway where some outgoing flows
 *   have no condition and none is the default (bpmn-engine takes such a flow as always true; Zeebe
 *   refuses the deployment);
 * - `parallel-join-after-exclusive-split` (error): a parallel join fed by two branches of the same
 *   exclusive / event-based (or conditional inclusive) split; Zeebe waits forever, bpmn-engine
 *   completes the join — the same diagram would behave differently on the two engines;
 * - `element-template-mismatch` (error): an element naming a template (`zeebe:modelerTemplate`) that
 *   is unknown, or whose job type, retries or other fixed field differs from the template's
 *   (./element-templates). The modeler locks those fields; this holds for XML from anywhere.
 */
import { bundledElementTemplates, checkElementTemplates, type ElementTemplate } from './element-templates';
import { lintDefinitions, parseBpmn, type LintFinding, type LintOptions, type ModdleElement } from './lint';

export const EMBEDDED_ENGINE_SUPPORT = 'embedded-engine-support';
export const GATEWAY_FLOW_CONDITIONS = 'gateway-flow-conditions';
export const PARALLEL_JOIN_AFTER_EXCLUSIVE_SPLIT = 'parallel-join-after-exclusive-split';
export const JOIN_AFTER_LOOP = 'join-after-loop';
export const EXECUTABLE_PROCESS = 'executable-process';

export interface DeployCheckOptions extends LintOptions {
  /** the templates `zeebe:modelerTemplate` may name; default: processes/element-templates */
  elementTemplates?: readonly ElementTemplate[];
}

export interface DeployCheckResult {
  /** ids of the processes with isExecutable="true", in document order */
  processIds: string[];
  findings: LintFinding[];
}

export const ONE_PROCESS_PER_FILE = 'one-process-per-file';

/** Parses, lints and checks a diagram for deployment; never throws for bad input. */
export async function checkDeployable(xml: string, opts: DeployCheckOptions = {}): Promise<DeployCheckResult> {
  const parsed = await parseBpmn(xml);
  const { definitions } = parsed;
  if (!definitions) return { processIds: [], findings: parsed.findings };

  const processIds = executableProcesses(definitions).map((process) => process.id ?? '');
  const findings = [
    ...parsed.findings,
    ...(await lintDefinitions(definitions, opts)),
    ...checkSupportedByEmbeddedEngine(definitions),
    ...checkElementTemplates(executableProcesses(definitions), opts.elementTemplates ?? bundledElementTemplates()),
  ];
  if (processIds.length === 0) {
    findings.push({
      id: definitions.id ?? '',
      rule: EXECUTABLE_PROCESS,
      category: 'error',
      message: '图中没有可执行流程 (isExecutable="true") — the diagram has no executable process',
    });
  }
  // a deployed version is one process per file: its id names the file's versions
  if (processIds.length > 1) {
    findings.push({ id: definitions.id ?? '', rule: ONE_PROCESS_PER_FILE, category: 'error', message: `一个文件只能包含一个可执行流程，实际 ${processIds.length} 个` });
  }
  return { processIds, findings };
}

/**
 * Refuses what the embedded engine cannot run, for every executable process of a diagram parsed
 * by `parseBpmn` (non-executable pools are documentation and are not deployed).
 */
export function checkSupportedByEmbeddedEngine(definitions: ModdleElement): LintFinding[] {
  return executableProcesses(definitions).flatMap((process) => [...checkListeners(process), ...checkContainer(process)]);
}

// ---------------------------------------------------------------------------------------------

/** [zh-CN, English] names of what the embedded engine refuses. */
const UNSUPPORTED: Record<string, readonly [string, string]> = {
  'bpmn:SignalEventDefinition': ['信号事件', 'signal events'],
  'bpmn:EscalationEventDefinition': ['升级事件', 'escalation events'],
  'bpmn:CompensateEventDefinition': ['补偿事件', 'compensation events'],
  'bpmn:ConditionalEventDefinition': ['条件事件', 'conditional events'],
  'bpmn:LinkEventDefinition': ['链接事件', 'link events'],
  'bpmn:CancelEventDefinition': ['取消事件', 'cancel events'],
  'bpmn:MessageEventDefinition': ['消息抛出/结束事件', 'message throw and message end events'],
  'bpmn:ErrorEventDefinition': ['此位置的错误事件', 'error events in this position'],
  'bpmn:TimerEventDefinition': ['此位置的定时器事件', 'timer events in this position'],
  'bpmn:TerminateEventDefinition': ['此位置的终止事件', 'terminate events in this position'],
  'bpmn:ComplexGateway': ['复杂网关', 'complex gateways'],
  'bpmn:AdHocSubProcess': ['特设子流程', 'ad-hoc subprocesses'],
  'bpmn:Transaction': ['事务子流程', 'transaction subprocesses'],
  'bpmn:StandardLoopCharacteristics': ['标准循环', 'standard loops'],
  'event-subprocess': ['事件子流程', 'event subprocesses'],
  'multiple-event': ['多重事件', 'events with several event definitions'],
  'compensation-handler': ['补偿处理活动', 'compensation handlers'],
  'zeebe:Script': ['FEEL 脚本任务', 'script tasks with a FEEL script'],
  'zeebe:CalledDecision': ['DMN 决策任务', 'business rule tasks calling a DMN decision'],
  'zeebe:ExecutionListeners': ['执行监听器', 'execution listeners'],
  'zeebe:TaskListeners': ['任务监听器', 'task listeners'],
};

const JOB_WORKER_TASKS = ['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask', 'bpmn:ScriptTask'];
const PASS_THROUGH = ['bpmn:SequenceFlow', 'bpmn:ManualTask', 'bpmn:Task', 'bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference'];
/** splits that may leave some of their outgoing flows untaken */
const PARTIAL_SPLITS = ['bpmn:ExclusiveGateway', 'bpmn:EventBasedGateway', 'bpmn:InclusiveGateway'];

function refuse(element: ModdleElement, what: string, shownType = what): LintFinding {
  const [zh, en] = UNSUPPORTED[what] ?? ['此元素', `elements of type ${what}`];
  return {
    id: element.id ?? '',
    rule: EMBEDDED_ENGINE_SUPPORT,
    category: 'error',
    message: `嵌入式引擎不支持 ${zh} (${shownType}) — embedded engine does not support ${en}`,
  };
}

function incomplete(element: ModdleElement, zh: string, en: string): LintFinding {
  return { id: element.id ?? '', rule: EMBEDDED_ENGINE_SUPPORT, category: 'error', message: `${zh} — ${en}` };
}

function checkContainer(container: ModdleElement): LintFinding[] {
  const elements = list(container.flowElements);
  return [
    ...elements.flatMap(checkElement),
    ...elements.filter((el) => ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'].includes(el.$type)).flatMap(checkGatewayConditions),
    ...elements.filter((el) => el.$type === 'bpmn:ParallelGateway' && list(el.incoming).length > 1).flatMap(checkParallelJoin),
    ...checkJoinsAfterLoops(elements),
  ];
}

/**
 * A parallel or inclusive join downstream of a loop in the same scope (a flow that goes back, e.g. "退回修改").
 * bpmn-engine marks every path a gateway did not take as discarded and sends that discard on through the loop
 * and every later step: the join counts those discards as arrivals and, when one comes in after it has fired,
 * the instance never ends. Zeebe has no discards and joins only tokens. Refused, with the way out: put the
 * parallel part in a sub-process (a loop outside it only discards the sub-process as a whole).
 */
function checkJoinsAfterLoops(elements: ModdleElement[]): LintFinding[] {
  const next = new Map<ModdleElement, ModdleElement[]>();
  const follow = (node: ModdleElement): ModdleElement[] => {
    let targets = next.get(node);
    if (!targets) {
      targets = list(node.outgoing).map((flow) => asElement(flow.targetRef)).filter((t): t is ModdleElement => t !== undefined);
      // a boundary event continues its activity's paths
      targets.push(...elements.filter((el) => el.$type === 'bpmn:BoundaryEvent' && asElement(el.attachedToRef) === node));
      next.set(node, targets);
    }
    return targets;
  };
  const reachable = (from: ModdleElement): Set<ModdleElement> => {
    const seen = new Set<ModdleElement>();
    const stack = [...follow(from)];
    while (stack.length) {
      const node = stack.pop()!;
      if (seen.has(node)) continue;
      seen.add(node);
      stack.push(...follow(node));
    }
    return seen;
  };
  const nodes = elements.filter((el) => el.$type !== 'bpmn:SequenceFlow');
  const reach = new Map(nodes.map((node) => [node, reachable(node)]));
  const onLoop = nodes.filter((node) => reach.get(node)!.has(node));
  const joins = nodes.filter((el) => (el.$type === 'bpmn:ParallelGateway' || el.$type === 'bpmn:InclusiveGateway') && list(el.incoming).length > 1);
  return joins.flatMap((join) => {
    const loop = onLoop.find((node) => node !== join && reach.get(node)!.has(join));
    if (!loop) return [];
    return [
      {
        id: join.id ?? '',
        rule: JOIN_AFTER_LOOP,
        category: 'error' as const,
        message:
          `汇聚网关位于回退环路（经 ${loop.id ?? ''}）之后：嵌入式引擎会把未走的分支计入汇聚，实例可能无法结束；请把并行部分放入子流程 — ` +
          `the join follows a loop (through ${loop.id ?? ''}) in the same scope: the embedded engine counts the paths not taken ` +
          'as arrivals and the instance may never end; put the parallel part in a sub-process',
      },
    ];
  });
}

function checkElement(element: ModdleElement): LintFinding[] {
  const findings = element.$type === 'bpmn:SequenceFlow' ? [] : checkListeners(element);
  if (isActivity(element)) {
    findings.push(...checkLoop(element));
    if (element.isForCompensation === true) findings.push(refuse(element, 'compensation-handler', 'isForCompensation'));
  }
  findings.push(...checkElementType(element));
  return findings;
}

function checkElementType(element: ModdleElement): LintFinding[] {
  const type = element.$type;
  switch (type) {
    case 'bpmn:StartEvent':
      return checkEvent(element, ['bpmn:MessageEventDefinition', 'bpmn:TimerEventDefinition'], { noneAllowed: true });
    case 'bpmn:EndEvent':
      return checkEvent(element, ['bpmn:ErrorEventDefinition', 'bpmn:TerminateEventDefinition'], { noneAllowed: true });
    case 'bpmn:IntermediateThrowEvent':
      return checkEvent(element, [], { noneAllowed: true });
    case 'bpmn:IntermediateCatchEvent':
      return checkEvent(element, ['bpmn:MessageEventDefinition', 'bpmn:TimerEventDefinition'], { noneAllowed: false });
    case 'bpmn:BoundaryEvent':
      return checkEvent(element, ['bpmn:ErrorEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:TimerEventDefinition'], { noneAllowed: false });
    case 'bpmn:UserTask':
      return checkUserTask(element);
    case 'bpmn:ReceiveTask':
      return checkMessageCatch(element, element);
    case 'bpmn:CallActivity':
      return checkCallActivity(element);
    case 'bpmn:SubProcess':
      // an event subprocess is refused as a whole; its content is not looked at
      return element.triggeredByEvent === true ? [refuse(element, 'event-subprocess', 'triggeredByEvent')] : checkContainer(element);
    case 'bpmn:ExclusiveGateway':
    case 'bpmn:ParallelGateway':
    case 'bpmn:InclusiveGateway':
    case 'bpmn:EventBasedGateway':
      return [];
    default:
      if (JOB_WORKER_TASKS.includes(type)) return checkJobWorkerTask(element);
      if (PASS_THROUGH.includes(type)) return [];
      // complex gateways, transactions, ad-hoc subprocesses, and anything we do not know
      return [refuse(element, type)];
  }
}

function checkEvent(event: ModdleElement, allowed: readonly string[], { noneAllowed }: { noneAllowed: boolean }): LintFinding[] {
  const eventDefinitions = list(event.eventDefinitions);
  if (eventDefinitions.length > 1) {
    return [refuse(event, 'multiple-event', eventDefinitions.map((definition) => definition.$type).join(' + '))];
  }
  const [definition] = eventDefinitions;
  if (!definition) {
    return noneAllowed ? [] : [incomplete(event, `${event.$type} 缺少事件定义`, `${event.$type} without an event definition never fires`)];
  }
  if (!allowed.includes(definition.$type)) return [refuse(event, definition.$type)];

  if (definition.$type === 'bpmn:TimerEventDefinition') return checkTimer(event, definition);
  if (definition.$type === 'bpmn:MessageEventDefinition') {
    // a message start event is correlated by name only
    return event.$type === 'bpmn:StartEvent' ? checkMessageName(event, definition).findings : checkMessageCatch(event, definition);
  }
  return [];
}

function checkTimer(event: ModdleElement, timer: ModdleElement): LintFinding[] {
  const hasDefinition = ['timeDate', 'timeDuration', 'timeCycle'].some((property) => text(asElement(timer[property])?.body));
  return hasDefinition ? [] : [incomplete(event, '定时器缺少时间定义 (timeDate / timeDuration / timeCycle)', 'timer has no date, duration or cycle')];
}

/** The message an event or receive task (`holder`) refers to; it needs a name to be correlated by. */
function checkMessageName(event: ModdleElement, holder: ModdleElement): { message?: ModdleElement; findings: LintFinding[] } {
  const message = asElement(holder.messageRef);
  if (!message) {
    return { findings: [incomplete(event, '消息事件未引用消息 (messageRef)', 'message event references no message')] };
  }
  if (!text(message.name)) {
    return { findings: [incomplete(event, `消息 ${message.id ?? ''} 没有名称`, `message ${message.id ?? ''} has no name to correlate by`)] };
  }
  return { message, findings: [] };
}

/** Receive tasks, message catch and boundary events wait for a message by name and correlation key. */
function checkMessageCatch(event: ModdleElement, holder: ModdleElement): LintFinding[] {
  const { message, findings } = checkMessageName(event, holder);
  if (!message) return findings;
  if (text(extension(message, 'zeebe:Subscription')?.correlationKey)) return [];
  return [incomplete(
    event,
    `消息 ${String(message.name)} 缺少关联键 (zeebe:subscription correlationKey)`,
    'message catch needs a correlation key to find its instance',
  )];
}

function checkJobWorkerTask(task: ModdleElement): LintFinding[] {
  if (task.$type === 'bpmn:ScriptTask' && extension(task, 'zeebe:Script')) return [refuse(task, 'zeebe:Script', 'zeebe:script')];
  if (task.$type === 'bpmn:BusinessRuleTask' && extension(task, 'zeebe:CalledDecision')) {
    return [refuse(task, 'zeebe:CalledDecision', 'zeebe:calledDecision')];
  }
  if (text(extension(task, 'zeebe:TaskDefinition')?.type)) return [];
  return [incomplete(task, `${task.$type} 缺少任务类型 (zeebe:taskDefinition type)`, `${task.$type} without a job type reaches no worker`)];
}

function checkUserTask(task: ModdleElement): LintFinding[] {
  if (extension(task, 'zeebe:UserTask')) return [];
  return [incomplete(
    task,
    '用户任务缺少 <zeebe:userTask/>，不会进入待办',
    'user task without <zeebe:userTask/> is a job-based user task and never reaches the inbox',
  )];
}

function checkCallActivity(activity: ModdleElement): LintFinding[] {
  if (text(extension(activity, 'zeebe:CalledElement')?.processId)) return [];
  return [incomplete(activity, '调用活动缺少被调流程 (zeebe:calledElement processId)', 'call activity names no process id to call')];
}

function checkLoop(activity: ModdleElement): LintFinding[] {
  const loop = asElement(activity.loopCharacteristics);
  if (!loop) return [];
  if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') return [refuse(activity, loop.$type)];

  const inputCollection = text(extension(loop, 'zeebe:LoopCharacteristics')?.inputCollection);
  const cardinality = text(asElement(loop.loopCardinality)?.body);
  if (inputCollection || cardinality) return [];
  return [incomplete(
    activity,
    '多实例缺少输入集合 (zeebe:loopCharacteristics inputCollection)',
    'multi-instance activity has neither an input collection nor a cardinality',
  )];
}

function checkListeners(element: ModdleElement): LintFinding[] {
  return ['zeebe:ExecutionListeners', 'zeebe:TaskListeners']
    .filter((type) => list(extension(element, type)?.listeners).length > 0)
    .map((type) => refuse(element, type));
}

/** Some outgoing flows lack a condition and there is no default flow. */
function checkGatewayConditions(gateway: ModdleElement): LintFinding[] {
  const outgoing = list(gateway.outgoing);
  if (outgoing.length < 2) return [];
  const defaultFlow = asElement(gateway.default);
  const unconditioned = outgoing.filter((flow) => flow !== defaultFlow && !asElement(flow.conditionExpression));
  if (defaultFlow || unconditioned.length === 0 || unconditioned.length === outgoing.length) return [];

  const ids = unconditioned.map((flow) => flow.id).join(', ');
  return [{
    id: gateway.id ?? '',
    rule: GATEWAY_FLOW_CONDITIONS,
    category: 'warn',
    message:
      `网关出口 ${ids} 没有条件，也未设默认流 — outgoing flows ${ids} have no condition and the gateway has no default flow: ` +
      'the embedded engine takes them as always true, Zeebe refuses the deployment',
  }];
}

/**
 * A parallel join whose incoming flows come, directly or through a chain of plain one-in-one-out
 * nodes, from different outgoing flows of one split that takes only some of them.
 */
function checkParallelJoin(join: ModdleElement): LintFinding[] {
  const findings: LintFinding[] = [];
  const branchesBySplit = new Map<ModdleElement, Set<ModdleElement>>();
  for (const flow of list(join.incoming)) {
    const origin = traceBranch(flow);
    if (!origin) continue;
    const branches = branchesBySplit.get(origin.split) ?? new Set<ModdleElement>();
    branches.add(origin.branch);
    branchesBySplit.set(origin.split, branches);
  }

  for (const [split, branchSet] of branchesBySplit) {
    const branches = [...branchSet];
    if (branches.length < 2) continue;
    if (split.$type === 'bpmn:InclusiveGateway' && !branches.some((branch) => mayBeSkipped(split, branch))) continue;

    const ids = branches.map((branch) => branch.id).join(', ');
    findings.push({
      id: join.id ?? '',
      rule: PARALLEL_JOIN_AFTER_EXCLUSIVE_SPLIT,
      category: 'error',
      message:
        `并行汇聚网关等待 ${split.id ?? ''} 的多个分支 (${ids})，但并非每个分支都会到达 — ` +
        `parallel join waits for branches ${ids} of ${split.$type} ${split.id ?? ''}, which does not take all of them: ` +
        'Zeebe would wait forever, the embedded engine completes the join',
    });
  }
  return findings;
}

function traceBranch(start: ModdleElement): { split: ModdleElement; branch: ModdleElement } | undefined {
  const seen = new Set<ModdleElement>();
  let flow: ModdleElement | undefined = start;
  while (flow && !seen.has(flow)) {
    seen.add(flow);
    const source = asElement(flow.sourceRef);
    if (!source) return undefined;
    const outgoing = list(source.outgoing);
    if (PARTIAL_SPLITS.includes(source.$type) && outgoing.length > 1) {
      return { split: source, branch: flow };
    }
    const incoming = list(source.incoming);
    const plain = !source.$type.endsWith('Gateway') && !source.$type.endsWith('StartEvent') && incoming.length === 1 && outgoing.length === 1;
    flow = plain ? incoming[0] : undefined;
  }
  return undefined;
}

/** An inclusive split skips a branch that has a condition or is the default. */
function mayBeSkipped(split: ModdleElement, branch: ModdleElement): boolean {
  return asElement(split.default) === branch || Boolean(asElement(branch.conditionExpression));
}

function executableProcesses(definitions: ModdleElement): ModdleElement[] {
  return list(definitions.rootElements).filter((root) => root.$type === 'bpmn:Process' && root.isExecutable === true);
}

function isActivity(element: ModdleElement): boolean {
  return element.$type.endsWith('Task') || element.$type.endsWith('SubProcess') || ['bpmn:CallActivity', 'bpmn:Transaction'].includes(element.$type);
}

function extension(element: ModdleElement, type: string): ModdleElement | undefined {
  const extensionElements = asElement(element.extensionElements);
  return list(extensionElements?.values).find((value) => value.$type === type);
}

// moddle properties are untyped here; these narrow them

function list(value: unknown): ModdleElement[] {
  return Array.isArray(value) ? (value as ModdleElement[]) : [];
}

function asElement(value: unknown): ModdleElement | undefined {
  return typeof value === 'object' && value !== null && '$type' in value ? (value as ModdleElement) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

// Reads a Zeebe-dialect BPMN file once: the zeebe:* extensions of every element the adapter needs,
// and the serialized context bpmn-engine runs. bpmn-engine knows BPMN 2.0, not Zeebe; everything
// Zeebe-specific is taken from here by the session.
import { BpmnModdle } from 'bpmn-moddle';
import * as Elements from 'bpmn-elements';
import serializer, { TypeResolver } from 'moddle-context-serializer';
import zeebeSchema from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };

export interface IoMapping {
  source: string;
  target: string;
}

export interface UserTaskSpec {
  formId: string | null;
  formKey: string | null;
  assignee: string | null;
  candidateGroups: string | null;
  candidateUsers: string | null;
  dueDate: string | null;
  followUpDate: string | null;
  priority: string | null;
}

export interface LoopSpec {
  sequential: boolean;
  inputCollection: string | null;
  inputElement: string | null;
  outputCollection: string | null;
  outputElement: string | null;
}

export interface ElementSpec {
  id: string;
  type: string;
  name: string | null;
  /** job type for service-like tasks (zeebe:taskDefinition) */
  jobType: string | null;
  retries: string | null;
  headers: Record<string, string>;
  inputs: IoMapping[];
  outputs: IoMapping[];
  userTask: UserTaskSpec | null;
  /** for message catch events, receive tasks, message boundary and start events */
  message: { name: string; correlationKey: string | null } | null;
  calledProcessId: string | null;
  propagateAllChildVariables: boolean;
  loop: LoopSpec | null;
  attachedTo: string | null;
  cancelActivity: boolean;
  /** error codes this boundary event catches; [] with catchAllErrors for an error boundary without code */
  errorCodes: string[];
  catchAllErrors: boolean;
  isErrorBoundary: boolean;
  timer: { kind: 'timeDuration' | 'timeDate' | 'timeCycle'; value: string } | null;
  /** id of the enclosing subprocess or process */
  parentId: string;
}

export interface ProcessModel {
  processId: string;
  name: string | null;
  elements: Map<string, ElementSpec>;
  /** start events with a timer or message definition, directly in the process */
  timerStartEvents: ElementSpec[];
  messageStartEvents: ElementSpec[];
  noneStartEvents: ElementSpec[];
  /** bpmn-engine's serialized context for this one process (started at its none start event) */
  source: unknown;
  /** where a process has several start events: a context per start event, the others removed */
  sourcesByStartEvent: Map<string, unknown>;
}

/** Service-like tasks run as jobs; they become wait states (SignalTask) for bpmn-engine. */
export const JOB_TASK_TYPES = new Set(['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask', 'bpmn:ScriptTask']);

export const engineElements: Record<string, unknown> = {
  ...Elements,
  ServiceTask: Elements.SignalTask,
  SendTask: Elements.SignalTask,
  BusinessRuleTask: Elements.SignalTask,
  ScriptTask: Elements.SignalTask,
  ReceiveTask: Elements.SignalTask,
};

const typeResolver = TypeResolver(engineElements as never);

// bpmn-moddle's tree, read loosely: the properties used are checked where they are read
type Moddle = { $type: string; [k: string]: any };

export async function parseProcessModel(xml: string): Promise<ProcessModel> {
  const { context, process } = await readProcess(xml);
  const elements = new Map<string, ElementSpec>();
  collectElements(process, process.id!, elements);
  const startEvents: Moddle[] = (process.flowElements ?? []).filter((e: Moddle) => e.$type === 'bpmn:StartEvent');
  const specOf = (e: Moddle) => elements.get(e.id!)!;
  const noneStartEvents = startEvents.filter((e) => !e.eventDefinitions?.length).map(specOf);
  const sourcesByStartEvent = new Map<string, unknown>();
  if (startEvents.length > 1) {
    for (const start of startEvents) sourcesByStartEvent.set(start.id!, await serializeWithOnlyStart(xml, start.id!));
  }
  return {
    processId: process.id!,
    name: process.name ?? null,
    elements,
    timerStartEvents: startEvents.filter((e) => specOf(e).timer).map(specOf),
    messageStartEvents: startEvents.filter((e) => specOf(e).message).map(specOf),
    noneStartEvents,
    source: noneStartEvents[0] ? (sourcesByStartEvent.get(noneStartEvents[0].id) ?? serialize(context)) : serialize(context),
    sourcesByStartEvent,
  };
}

async function readProcess(xml: string): Promise<{ context: any; process: Moddle }> {
  const moddle = new BpmnModdle({ zeebe: zeebeSchema });
  const context = await moddle.fromXML(xml);
  const definitions = context.rootElement as unknown as Moddle;
  const processes = (definitions.rootElements ?? []).filter((e: Moddle) => e.$type === 'bpmn:Process' && e.isExecutable);
  if (processes.length !== 1) {
    throw new Error(`一个文件只能包含一个可执行流程 (exactly one executable process per file), found ${processes.length}`);
  }
  return { context, process: processes[0] };
}

function serialize(context: any): unknown {
  adaptLoopCharacteristics(context.elementsById as Record<string, Moddle>);
  return serializer(context as never, typeResolver);
}

// bpmn-engine starts every start event of a process; Zeebe starts at one. A variant of the diagram
// without the other start events (and their outgoing flows) starts where Zeebe would.
async function serializeWithOnlyStart(xml: string, startEventId: string): Promise<unknown> {
  const { context, process } = await readProcess(xml);
  const others = new Set(
    (process.flowElements as Moddle[]).filter((e) => e.$type === 'bpmn:StartEvent' && e.id !== startEventId).map((e) => e.id!),
  );
  const flows = (process.flowElements as Moddle[]).filter((e) => e.$type === 'bpmn:SequenceFlow' && others.has(e.sourceRef?.id));
  const removed = new Set([...others, ...flows.map((f) => f.id!)]);
  process.flowElements = (process.flowElements as Moddle[]).filter((e) => !removed.has(e.id!));
  for (const e of process.flowElements as Moddle[]) {
    if (e.incoming) e.incoming = e.incoming.filter((f: Moddle) => !removed.has(f.id));
  }
  for (const id of removed) delete context.elementsById[id];
  context.references = (context.references ?? []).filter((r: Moddle) => !removed.has(r.element?.id) && !removed.has(r.id));
  return serialize(context);
}

// bpmn-elements reads a multi-instance collection from `collection`/`elementVariable`; Zeebe keeps
// them in zeebe:loopCharacteristics. Copy them over before serializing.
function adaptLoopCharacteristics(elementsById: Record<string, Moddle>): void {
  for (const element of Object.values(elementsById)) {
    const loop = element.loopCharacteristics as Moddle | undefined;
    if (!loop || loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') continue;
    const zeebeLoop = extension(loop, 'zeebe:LoopCharacteristics');
    if (!zeebeLoop) continue;
    if (zeebeLoop.inputCollection) loop.collection = zeebeLoop.inputCollection;
    loop.elementVariable = zeebeLoop.inputElement ?? 'item';
  }
}

function extension(element: Moddle, type: string): Moddle | undefined {
  return (element.extensionElements?.values ?? []).find((v: Moddle) => v.$type === type);
}

function collectElements(container: Moddle, parentId: string, out: Map<string, ElementSpec>): void {
  for (const element of container.flowElements ?? []) {
    if (element.$type === 'bpmn:SequenceFlow') continue;
    out.set(element.id, readElement(element, parentId));
    if (element.flowElements) collectElements(element, element.id, out);
  }
}

function readElement(element: Moddle, parentId: string): ElementSpec {
  const taskDefinition = extension(element, 'zeebe:TaskDefinition');
  const io = extension(element, 'zeebe:IoMapping');
  const headers = extension(element, 'zeebe:TaskHeaders');
  const subscription = extension(element, 'zeebe:Subscription');
  const called = extension(element, 'zeebe:CalledElement');
  const eventDefinitions: Moddle[] = element.eventDefinitions ?? [];
  const messageDefinition = eventDefinitions.find((d) => d.$type === 'bpmn:MessageEventDefinition');
  const messageRef: Moddle | undefined = messageDefinition?.messageRef ?? element.messageRef;
  const errorDefinition = eventDefinitions.find((d) => d.$type === 'bpmn:ErrorEventDefinition');
  const timerDefinition = eventDefinitions.find((d) => d.$type === 'bpmn:TimerEventDefinition');
  const loop = element.loopCharacteristics as Moddle | undefined;
  const zeebeLoop = loop ? extension(loop, 'zeebe:LoopCharacteristics') : undefined;
  const messageSubscription = messageRef ? (subscription ?? extension(messageRef, 'zeebe:Subscription')) : undefined;

  return {
    id: element.id,
    type: element.$type,
    name: element.name ?? null,
    jobType: taskDefinition?.type ?? null,
    retries: taskDefinition?.retries ?? null,
    headers: Object.fromEntries((headers?.values ?? []).map((h: Moddle) => [h.key, h.value])),
    inputs: (io?.inputParameters ?? []).map((p: Moddle) => ({ source: p.source, target: p.target })),
    outputs: (io?.outputParameters ?? []).map((p: Moddle) => ({ source: p.source, target: p.target })),
    userTask: element.$type === 'bpmn:UserTask' ? readUserTask(element) : null,
    message: messageRef ? { name: messageRef.name, correlationKey: messageSubscription?.correlationKey ?? null } : null,
    calledProcessId: called?.processId ?? null,
    propagateAllChildVariables: called ? called.propagateAllChildVariables !== false : true,
    loop:
      loop && loop.$type === 'bpmn:MultiInstanceLoopCharacteristics'
        ? {
            sequential: !!loop.isSequential,
            inputCollection: zeebeLoop?.inputCollection ?? null,
            inputElement: zeebeLoop?.inputElement ?? null,
            outputCollection: zeebeLoop?.outputCollection ?? null,
            outputElement: zeebeLoop?.outputElement ?? null,
          }
        : null,
    attachedTo: element.attachedToRef?.id ?? null,
    cancelActivity: element.cancelActivity !== false,
    isErrorBoundary: !!errorDefinition && element.$type === 'bpmn:BoundaryEvent',
    errorCodes: errorDefinition?.errorRef?.errorCode ? [String(errorDefinition.errorRef.errorCode)] : [],
    catchAllErrors: !!errorDefinition && !errorDefinition.errorRef?.errorCode,
    timer: timerDefinition ? readTimer(timerDefinition) : null,
    parentId,
  };
}

function readUserTask(element: Moddle): UserTaskSpec {
  const assignment = extension(element, 'zeebe:AssignmentDefinition');
  const form = extension(element, 'zeebe:FormDefinition');
  const schedule = extension(element, 'zeebe:TaskSchedule');
  const priority = extension(element, 'zeebe:PriorityDefinition');
  return {
    formId: form?.formId ?? null,
    formKey: form?.formKey ?? null,
    assignee: assignment?.assignee ?? null,
    candidateGroups: assignment?.candidateGroups ?? null,
    candidateUsers: assignment?.candidateUsers ?? null,
    dueDate: schedule?.dueDate ?? null,
    followUpDate: schedule?.followUpDate ?? null,
    priority: priority?.priority != null ? String(priority.priority) : null,
  };
}

function readTimer(definition: Moddle): ElementSpec['timer'] {
  for (const kind of ['timeDuration', 'timeDate', 'timeCycle'] as const) {
    const expr = definition[kind];
    if (expr?.body) return { kind, value: String(expr.body).trim() };
  }
  return null;
}

/** The error boundary events that would catch `code` thrown at `elementId` (its own, then its parents'). */
export function findErrorCatcher(model: ProcessModel, elementId: string, code: string): ElementSpec | null {
  let current: string | null = elementId;
  while (current && current !== model.processId) {
    for (const spec of model.elements.values()) {
      if (spec.attachedTo === current && spec.isErrorBoundary && (spec.catchAllErrors || spec.errorCodes.includes(code))) {
        return spec;
      }
    }
    // an error end event inside a subprocess is caught by the subprocess's boundary, so walk up
    current = model.elements.get(current)?.parentId ?? null;
  }
  return null;
}

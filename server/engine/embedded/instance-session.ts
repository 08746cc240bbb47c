// One instance's bpmn-engine, loaded for one step and dropped after it. The session supplies the
// Zeebe semantics bpmn-engine lacks: FEEL, io mappings, job / user-task / message / call waits,
// timers that only the database fires, and it collects what the step did (waits, timers, audit events).
import { Engine } from 'bpmn-engine';
import * as Elements from 'bpmn-elements';
import { evaluateExpression, ExpressionError } from '../feel';
import type { Variables } from '../types';
import { JOB_TASK_TYPES, engineElements, type ElementSpec, type ProcessModel } from './zeebe-model';

export type WaitKind = 'job' | 'userTask' | 'message' | 'call';

export interface WaitItem {
  executionId: string;
  elementId: string;
  kind: WaitKind;
  spec: ElementSpec;
  /** local variables of the element: multi-instance element variable and input mappings */
  local: Variables;
  /** the variables the element sees: process scope, enclosing scopes, its own */
  visible: Variables;
  /** execution ids of the enclosing scopes that hold local variables, outermost first */
  scopeChain: string[];
}

export interface TimerItem {
  executionId: string;
  elementId: string;
  dueAt: Date;
}

export interface StepEvent {
  kind: string;
  elementId: string | null;
  executionId: string | null;
  payload: Record<string, unknown>;
}

/** Execution ids of the open rows a step left behind, so the next step diffs without reading them. */
export interface OpenRows {
  jobs: string[];
  userTasks: string[];
  subscriptions: string[];
  calls: string[];
  timers: string[];
}

export const NO_OPEN_ROWS: OpenRows = { jobs: [], userTasks: [], subscriptions: [], calls: [], timers: [] };

export interface SavedState {
  engine: unknown;
  scopes: Record<string, Variables>;
  /** multi-instance output collections being filled: root execution id → values by index */
  loopOutputs: Record<string, unknown[]>;
  openRows: OpenRows;
}

// bpmn-engine logs through `debug`; the adapter records what matters in the audit log instead.
const silentLogger = () => ({ debug() {}, warn() {}, error() {} });

/**
 * The element a command was meant for no longer waits — typically an interrupting timer that fell
 * due fired while the step resumed the instance. The command is refused; what the resume did stays.
 */
export class WaitGoneError extends Error {
  constructor(readonly executionId: string) {
    super(`element instance ${executionId} no longer waits`);
    this.name = 'WaitGoneError';
  }
}

/** An error in the engine while a step ran: Zeebe raises an incident here, the step is rolled back. */
export class StepError extends Error {
  constructor(
    message: string,
    readonly elementId: string | null,
    readonly errorType: string,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

interface Api {
  id: string;
  type: string;
  executionId: string;
  content: Record<string, any>;
  signal(message?: unknown): void;
  discard(): void;
  sendApiMessage(action: string, content?: unknown): void;
  getPostponed?(): Api[];
  owner?: { execution?: { getPostponed(): Api[] } };
}

interface TimerRef {
  owner: { id: string; executionId: string; expireAt: string | Date };
  callback: (...args: unknown[]) => void;
  args: unknown[];
  expireAt: Date;
}

export class InstanceSession {
  events: StepEvent[] = [];
  readonly waits = new Map<string, WaitItem>();
  variables: Variables;
  /** the process variables as the step found them, to record what it changed */
  variablesBefore: Variables;
  scopes: Record<string, Variables>;
  loopOutputs: Record<string, unknown[]>;
  /** the open rows the previous step left (empty for a new instance) */
  previousRows: OpenRows;
  /** executions whose row the command itself finished (completed job, fired timer, correlated subscription) */
  finished = new Set<string>();
  /** timers that fired in this step (their rows become 'fired', not 'canceled') */
  firedTimers = new Set<string>();
  completed = false;
  /** the open rows of the state this session last saved: what the next step on the same engine starts from */
  private savedRows: OpenRows | null = null;
  private savedScopes: Record<string, Variables> = {};
  private failure: StepError | null = null;
  private recording = false;
  private readonly engine: InstanceType<typeof Engine>;

  private constructor(
    readonly model: ProcessModel,
    readonly instanceId: string,
    variables: Variables,
    saved: SavedState | null,
    startEventId: string | null,
  ) {
    this.variables = { ...variables };
    this.variablesBefore = structuredClone(variables);
    this.scopes = saved?.scopes ?? {};
    this.loopOutputs = saved?.loopOutputs ?? {};
    this.previousRows = saved?.openRows ?? NO_OPEN_ROWS;
    this.engine = new Engine({
      name: instanceId,
      Logger: silentLogger,
      sourceContext: sourceFor(model, startEventId) as never,
      elements: engineElements,
      expressions: { resolveExpression: (expression: unknown, context: any) => this.resolve(expression, context) } as never,
      // Timers are rows in the database with a due time; nothing fires in memory.
      timers: new Elements.Timers({ setTimeout: (() => ({})) as never, clearTimeout: () => undefined }) as never,
      settings: { enableDummyService: false },
    } as never);
    this.engine.broker.subscribeTmp('event', '#', (routingKey: string, message: any) => this.onEvent(routingKey, message.content), {
      noAck: true,
    });
    this.engine.on('error', (err: Error) => this.fail(err, null));
  }

  /** A new instance: runs from the start event until every path waits or ends. */
  static async start(model: ProcessModel, instanceId: string, variables: Variables, startEventId: string | null): Promise<InstanceSession> {
    const session = new InstanceSession(model, instanceId, variables, null, startEventId);
    session.recording = true;
    await session.guard(async () => {
      await session.engine.execute();
      session.discardOtherStartEvents(startEventId);
    });
    return session;
  }

  /** An instance that waited: its saved state is loaded and resumed; nothing runs until a command. */
  static async recover(
    model: ProcessModel,
    instanceId: string,
    variables: Variables,
    saved: SavedState,
    startEventId: string | null,
  ): Promise<InstanceSession> {
    const session = new InstanceSession(model, instanceId, variables, saved, startEventId);
    session.engine.recover(saved.engine as never);
    // recorded: a timer that fell due while the instance waited fires during the resume
    session.recording = true;
    await session.guard(() => session.engine.resume());
    return session;
  }

  /**
   * The next step on this same engine, in place of loading the state this session saved in the
   * step just committed (a job of that step handed to an in-process worker). What the engine holds
   * is exactly what it saved, so the step sees what a recover would give it: per-step records
   * start empty, and each open wait sees the variables as they are now.
   */
  continueFromSaved(): void {
    if (!this.savedRows || this.failure || this.completed) throw new Error('continueFromSaved: this session has no committed state to continue from');
    this.previousRows = this.savedRows;
    this.savedRows = null;
    this.events = [];
    this.finished = new Set();
    this.firedTimers = new Set();
    // as stored: what a recover would read back from the row's JSON
    const variables = JSON.stringify(this.variables);
    this.variables = JSON.parse(variables);
    this.variablesBefore = JSON.parse(variables);
    this.scopes = JSON.parse(JSON.stringify(this.savedScopes));
    this.loopOutputs = JSON.parse(JSON.stringify(this.loopOutputs));
    for (const wait of this.liveWaits()) {
      wait.local = this.scopes[wait.executionId] ?? {};
      wait.visible = this.visibleTo(wait.scopeChain, wait.local);
    }
  }

  get error(): StepError | null {
    return this.failure;
  }

  /** Completes a waiting job, user task, message catch or call activity with the given variables. */
  async complete(executionId: string, result: Variables, kind: StepEvent['kind'], extra: Record<string, unknown> = {}): Promise<void> {
    const wait = this.requireWait(executionId);
    this.finished.add(executionId);
    await this.guard(() => {
      this.applyOutputs(wait, result);
      // the variables delivered are recorded whole: a replay of the instance feeds them in again
      this.record(kind, wait.elementId, executionId, { ...extra, ...iterationOf(wait), input: result });
      this.apiFor(executionId, wait.elementId).signal({ id: wait.elementId, executionId });
    });
  }

  /** Throws a BPMN error at a waiting job: the matching error boundary event takes over. */
  async throwError(executionId: string, code: string, message: string, variables: Variables): Promise<void> {
    const wait = this.requireWait(executionId);
    this.finished.add(executionId);
    await this.guard(() => {
      Object.assign(this.variables, variables);
      this.record('job.error-thrown', wait.elementId, executionId, { code, message, ...iterationOf(wait), input: variables });
      this.apiFor(executionId, wait.elementId).sendApiMessage('error', { message, code });
    });
  }

  /** Fires a due timer. */
  async fireTimer(executionId: string): Promise<boolean> {
    const timers = this.engine.environment.timers as unknown as { executing: TimerRef[]; clearTimeout(ref: TimerRef): void };
    const ref = timers.executing.find((t) => t.owner?.executionId === executionId);
    if (!ref) return this.firedTimers.has(executionId);
    await this.guard(() => {
      timers.clearTimeout(ref);
      ref.callback(...ref.args); // records timer.fired through its activity.timeout event
    });
    return true;
  }

  /** What the step changed in the process variables: set (new or different values) and removed names. */
  variableChanges(): { set: Variables; removed: string[] } | null {
    const set: Variables = {};
    for (const [name, value] of Object.entries(this.variables)) {
      if (JSON.stringify(value) !== JSON.stringify(this.variablesBefore[name])) set[name] = value;
    }
    const removed = Object.keys(this.variablesBefore).filter((name) => !(name in this.variables));
    return Object.keys(set).length || removed.length ? { set, removed } : null;
  }

  /** Live timers after the step. */
  timers(): TimerItem[] {
    const timers = this.engine.environment.timers as unknown as { executing: TimerRef[] };
    return timers.executing.map((t) => ({ executionId: t.owner.executionId, elementId: t.owner.id, dueAt: new Date(t.owner.expireAt ?? t.expireAt) }));
  }

  /** The waits that are still open when the step ends. */
  liveWaits(): WaitItem[] {
    if (this.completed) return [];
    const alive = new Set(this.allApis().map((a) => a.executionId));
    return [...this.waits.values()].filter((w) => alive.has(w.executionId));
  }

  async savedState(openRows: OpenRows): Promise<SavedState> {
    const state = (await this.engine.getState()) as any;
    for (const definition of state.definitions ?? []) delete definition.source;
    if (state.environment) {
      state.environment.variables = {};
      state.environment.output = {};
    }
    const alive = new Set(this.liveWaits().map((w) => w.executionId));
    const scopes = Object.fromEntries(Object.entries(this.scopes).filter(([id]) => alive.has(id) || this.isScopeOfLive(id, alive)));
    this.savedRows = openRows;
    this.savedScopes = scopes;
    return { engine: state, scopes, loopOutputs: this.loopOutputs, openRows };
  }

  // ---- internals ----

  private isScopeOfLive(scopeId: string, alive: Set<string>): boolean {
    for (const id of alive) if (this.waits.get(id)?.scopeChain.includes(scopeId)) return true;
    return false;
  }

  private async guard(run: () => unknown): Promise<void> {
    try {
      await run();
    } catch (err) {
      this.fail(err as Error, null);
    }
    if (this.failure) throw this.failure;
  }

  private fail(err: unknown, elementId: string | null): void {
    if (this.failure) return;
    const error = err as Error & { source?: { content?: { id?: string } }; inner?: Error };
    const inner = error?.inner ?? error;
    const id = elementId ?? error?.source?.content?.id ?? null;
    const type = inner instanceof ExpressionError ? 'EXPRESSION_ERROR' : /no conditional flow/.test(String(error?.message)) ? 'CONDITION_ERROR' : 'ENGINE_ERROR';
    this.failure = new StepError(String(error?.message ?? err), id, type);
  }

  private requireWait(executionId: string): WaitItem {
    const wait = this.waits.get(executionId);
    if (!wait || !this.liveWaits().some((w) => w.executionId === executionId)) throw new WaitGoneError(executionId);
    return wait;
  }

  private record(kind: string, elementId: string | null, executionId: string | null, payload: Record<string, unknown> = {}): void {
    if (this.recording) this.events.push({ kind, elementId, executionId, payload });
  }

  private onEvent(routingKey: string, content: any): void {
    switch (routingKey) {
      case 'activity.wait':
      case 'activity.call':
        return this.onWait(routingKey, content);
      case 'activity.enter':
        return this.record('element.entered', content.id, content.executionId, { type: content.type });
      case 'activity.end':
        this.onActivityEnd(content);
        return this.record('element.completed', content.id, content.executionId, { type: content.type });
      case 'activity.discard':
        return this.record('element.terminated', content.id, content.executionId, { type: content.type });
      case 'activity.timeout':
        // a timer fired: by the poller, or during the resume of a step because it was already due
        this.firedTimers.add(content.executionId);
        this.finished.add(content.executionId);
        return this.record('timer.fired', content.id, content.executionId, { dueAt: content.expireAt ? new Date(content.expireAt).toISOString() : null });
      case 'flow.take':
        return this.record('flow.taken', content.id, null, { sourceId: content.sourceId, targetId: content.targetId });
      case 'process.end':
        if (content.id !== this.model.processId) return;
        this.completed = true;
        return this.record('instance.completed', this.model.processId, null, {});
      case 'process.error':
      case 'definition.error':
        return this.fail(content.error ?? new Error('engine error'), content.error?.source?.content?.id ?? null);
    }
  }

  private onWait(routingKey: string, content: any): void {
    const spec = this.model.elements.get(content.id);
    if (!spec) return;
    const kind = waitKindOf(routingKey, spec);
    if (!kind) return;
    const executionId: string = content.executionId;
    const scopeChain = this.enclosingScopes(content);
    const iteration = this.iterationVariables(spec, content);
    let local = this.scopes[executionId];
    if (!local) {
      local = { ...iteration };
      const context = this.visibleTo(scopeChain, local);
      for (const input of spec.inputs) {
        const value = evaluateExpression(input.source, context);
        local[input.target] = value;
        context[input.target] = value;
      }
      if (Object.keys(local).length) this.scopes[executionId] = local;
    }
    this.waits.set(executionId, { executionId, elementId: spec.id, kind, spec, local, visible: this.visibleTo(scopeChain, local), scopeChain });
  }

  /** What an element sees: the process variables, those of its enclosing scopes, its own. */
  private visibleTo(scopeChain: string[], local: Variables): Variables {
    return Object.assign({}, this.variables, ...scopeChain.map((id) => this.scopes[id] ?? {}), local);
  }

  /** Execution ids of enclosing multi-instance iterations that carry local variables. */
  private enclosingScopes(content: any): string[] {
    const chain: string[] = [];
    const parent = content.parent;
    if (parent?.executionId) chain.push(parent.executionId);
    for (const p of parent?.path ?? []) if (p.executionId) chain.push(p.executionId);
    for (const id of chain) this.ensureIterationScope(id);
    return chain.filter((id) => this.scopes[id]).reverse();
  }

  // A multi-instance subprocess iteration: its element variable lives in the iteration's message.
  private ensureIterationScope(executionId: string): void {
    if (this.scopes[executionId] || !/_\d+$/.test(executionId)) return;
    const api = this.allApis().find((a) => a.executionId === executionId);
    const spec = api && this.model.elements.get(api.id);
    if (!api || !spec?.loop) return;
    this.scopes[executionId] = this.iterationVariables(spec, api.content);
  }

  private iterationVariables(spec: ElementSpec, content: any): Variables {
    if (!spec.loop || content.index === undefined) return {};
    const name = spec.loop.inputElement ?? 'item';
    return { [name]: content[name] ?? null, loopCounter: Number(content.index) + 1 };
  }

  private applyOutputs(wait: WaitItem, result: Variables): void {
    const local = wait.local;
    const context = { ...wait.visible, ...result };
    if (wait.spec.outputs.length) {
      for (const output of wait.spec.outputs) this.variables[output.target] = evaluateExpression(output.source, context);
    } else {
      Object.assign(this.variables, result);
    }
    const loop = wait.spec.loop;
    if (loop?.outputCollection && loop.outputElement) {
      const root = wait.executionId.replace(/_\d+$/, '');
      const index = Number(local.loopCounter ?? 1) - 1;
      const values = (this.loopOutputs[root] ??= []);
      values[index] = evaluateExpression(loop.outputElement, { ...context, ...this.variables });
    }
    delete this.scopes[wait.executionId];
  }

  private onActivityEnd(content: any): void {
    const spec = this.model.elements.get(content.id);
    const loop = spec?.loop;
    if (!loop?.outputCollection) return;
    const values = this.loopOutputs[content.executionId];
    if (!values || !(content.isRootScope ?? true)) return;
    this.variables[loop.outputCollection] = Array.from(values, (v) => v ?? null);
    delete this.loopOutputs[content.executionId];
  }

  private resolve(expression: unknown, context: any): unknown {
    if (typeof expression !== 'string') return expression;
    const content = context?.content ?? {};
    const chain = this.enclosingScopes(content);
    const spec = content.id ? this.model.elements.get(content.id) : undefined;
    const own = this.scopes[content.executionId] ?? (spec ? this.iterationVariables(spec, content) : {});
    return evaluateExpression(expression, this.visibleTo(chain, own));
  }

  private discardOtherStartEvents(startEventId: string | null): void {
    // bpmn-engine activates every start event; Zeebe starts at one. The model keeps a variant of
    // the diagram per start event; what is left waiting here is discarded all the same.
    for (const api of this.engine.execution.getPostponed() as unknown as Api[]) {
      const spec = this.model.elements.get(api.id);
      if (spec?.type === 'bpmn:StartEvent' && spec.parentId === this.model.processId && api.id !== startEventId) {
        this.waits.delete(api.executionId);
        api.discard();
      }
    }
  }

  private allApis(): Api[] {
    const seen = new Map<string, Api>();
    const queue = [...((this.engine.execution?.getPostponed() ?? []) as unknown as Api[])];
    while (queue.length) {
      const api = queue.shift()!;
      if (seen.has(api.executionId)) continue;
      seen.set(api.executionId, api);
      if (api.type === 'bpmn:SubProcess' && api.getPostponed) queue.push(...api.getPostponed());
      // a multi-instance task's iterations are postponed in its activity execution
      else if (this.model.elements.get(api.id)?.loop) queue.push(...(api.owner?.execution?.getPostponed() ?? []));
    }
    return [...seen.values()];
  }

  private apiFor(executionId: string, elementId: string): Api {
    const api = this.allApis().find((a) => a.executionId === executionId);
    if (api) return api;
    // a wait announced by an event definition (message boundary events): signal by element and execution
    const execution = this.engine.execution!;
    return {
      id: elementId,
      type: 'delegated',
      executionId,
      content: {},
      signal: (message?: unknown) => execution.signal(message as never),
      discard: () => execution.cancelActivity({ id: elementId, executionId } as never),
      sendApiMessage: () => {
        throw new StepError(`element instance ${executionId} cannot receive an error`, elementId, 'NOT_WAITING');
      },
    };
  }
}

/** The multi-instance iteration a wait belongs to, so that a replay can deliver to the same one. */
function iterationOf(wait: WaitItem): { loopCounter?: number } {
  const counter = wait.local.loopCounter;
  return typeof counter === 'number' ? { loopCounter: counter } : {};
}

/**
 * The diagram an instance's engine runs. bpmn-engine writes the whole serialized diagram into every
 * state it gives (Execution.getState: source.serialize()), which savedState drops again (the diagram
 * is the definition's row): the engine gets a view of the parsed diagram whose serialize() makes nothing.
 */
function sourceFor(model: ProcessModel, startEventId: string | null): unknown {
  const source = ((startEventId && model.sourcesByStartEvent.get(startEventId)) || model.source) as object;
  let view = unserialized.get(source);
  if (!view) unserialized.set(source, (view = Object.create(source, { serialize: { value: () => undefined } })));
  return view;
}

const unserialized = new WeakMap<object, object>();

function waitKindOf(routingKey: string, spec: ElementSpec): WaitKind | null {
  if (routingKey === 'activity.call') return 'call';
  if (spec.type === 'bpmn:UserTask') return 'userTask';
  if (JOB_TASK_TYPES.has(spec.type)) return 'job';
  if (spec.type === 'bpmn:ReceiveTask' || spec.message) return 'message';
  return null;
}

// Re-runs an instance from its history on the diagram version it ran: the recorded inputs (start
// variables, job outputs, task submissions, messages, timers, BPMN errors, called-process results)
// are fed to a scratch engine in their recorded order, and the path and variables it produces are
// compared with the recorded ones. The first recorded event that differs is the divergence.
import type { AuditEventRow } from '../../repositories/audit-events';
import { InstanceSession, StepError } from './instance-session';
import type { ProcessModel } from './zeebe-model';

export interface Divergence {
  /** the first recorded event the re-run does not reproduce */
  seq: number;
  /** the recorded input (job output, submission, message…) applied last before it: where the record and the diagram part ways */
  afterInputSeq: number | null;
  kind: string;
  elementId: string | null;
  expected: unknown;
  actual: unknown;
  message: string;
}

export interface RerunResult {
  consistent: boolean;
  inputsApplied: number;
  divergence: Divergence | null;
}

const PATH_KINDS = new Set(['element.completed', 'element.terminated', 'flow.taken']);
const INPUT_KINDS = new Set(['job.completed', 'user-task.completed', 'message.correlated', 'call.completed', 'timer.fired', 'job.error-thrown']);

export async function rerunInstance(model: ProcessModel, events: AuditEventRow[]): Promise<RerunResult> {
  const created = events.find((e) => e.kind === 'instance.created');
  if (!created) return diverged(events[0], 'instance.created', null, '历史中没有实例创建事件');
  let inputsApplied = 0;
  let lastInput: AuditEventRow | null = null;
  let session: InstanceSession;
  try {
    session = await InstanceSession.start(model, 'rerun', ((created.payload as any).input ?? {}) as Record<string, unknown>, created.element_id);
  } catch (err) {
    return diverged(created, 'start', null, `重放启动失败：${(err as Error).message}`);
  }
  let produced = 0; // how many of the session's path events have been matched

  for (const event of events) {
    if (event.kind === 'instance.created') continue;
    if (PATH_KINDS.has(event.kind)) {
      const path = session.events.filter((e) => PATH_KINDS.has(e.kind));
      const actual = path[produced];
      if (!actual || actual.kind !== event.kind || actual.elementId !== event.element_id) {
        return diverged(event, `${event.kind} ${event.element_id}`, actual ? `${actual.kind} ${actual.elementId}` : '（无）', '重放走出的路径与记录不同', inputsApplied, lastInput);
      }
      produced++;
      continue;
    }
    if (event.kind === 'variables.changed') {
      const set = ((event.payload as any).set ?? {}) as Record<string, unknown>;
      for (const [name, value] of Object.entries(set)) {
        if (JSON.stringify(session.variables[name]) !== JSON.stringify(value)) {
          return diverged(event, { [name]: value }, { [name]: session.variables[name] ?? null }, `重放得到的变量 ${name} 与记录不同`, inputsApplied, lastInput);
        }
      }
      continue;
    }
    if (!INPUT_KINDS.has(event.kind)) continue;
    const applied = await apply(session, event).catch((err: Error) => (err instanceof StepError ? err.message : Promise.reject(err)));
    if (applied !== true) return diverged(event, event.kind, null, `记录的输入无法在重放中施加：${applied}`, inputsApplied, lastInput);
    inputsApplied++;
    lastInput = event;
  }
  const leftover = session.events.filter((e) => PATH_KINDS.has(e.kind)).slice(produced);
  if (leftover.length) {
    const last = events[events.length - 1];
    return diverged(last, '（历史到此为止）', `${leftover[0].kind} ${leftover[0].elementId}`, '重放比记录走得更远', inputsApplied, lastInput);
  }
  return { consistent: true, inputsApplied, divergence: null };
}

async function apply(session: InstanceSession, event: AuditEventRow): Promise<true | string> {
  const payload = event.payload as Record<string, any>;
  if (event.kind === 'timer.fired') {
    const timer = session.timers().find((t) => t.elementId === event.element_id);
    if (!timer) return `元素 ${event.element_id} 没有等待中的定时器`;
    await session.fireTimer(timer.executionId);
    return true;
  }
  const waits = session.liveWaits().filter((w) => w.elementId === event.element_id);
  const wait = waits.find((w) => payload.loopCounter === undefined || w.local.loopCounter === payload.loopCounter);
  if (!wait) return `元素 ${event.element_id} 不在等待`;
  if (event.kind === 'job.error-thrown') await session.throwError(wait.executionId, payload.code, payload.message, payload.input ?? {});
  else await session.complete(wait.executionId, payload.input ?? {}, event.kind);
  return true;
}

function diverged(event: AuditEventRow | undefined, expected: unknown, actual: unknown, message: string, inputsApplied = 0, lastInput: AuditEventRow | null = null): RerunResult {
  return {
    consistent: false,
    inputsApplied,
    divergence: { seq: event ? Number(event.seq) : 0, afterInputSeq: lastInput ? Number(lastInput.seq) : null, kind: event?.kind ?? '', elementId: event?.element_id ?? null, expected, actual, message },
  };
}

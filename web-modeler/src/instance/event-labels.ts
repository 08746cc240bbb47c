// zh-CN words for the history's event kinds (the server's one list) and actors.
export { eventKindLabel as kindLabel } from '../../../server/core/event-labels';

/** The recorded inputs and ends of a case: the steps a reader jumps between. */
export const STEP_KINDS: ReadonlySet<string> = new Set([
  'instance.created',
  'user-task.completed',
  'job.completed',
  'job.error-thrown',
  'message.correlated',
  'timer.fired',
  'incident.created',
  'incident.resolved',
  'instance.completed',
  'instance.canceled',
  'instance.terminated',
]);

/** `user:unit-U001` → `unit-U001`; a worker or the system by its role. */
export function actorLabel(actor: string): string {
  const [kind, ...rest] = actor.split(':');
  const id = rest.join(':');
  if (kind === 'user') return id;
  if (kind === 'worker') return `自动处理（${id}）`;
  if (kind === 'system') return `系统（${id}）`;
  return actor;
}

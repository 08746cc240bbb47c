// The inbox's Chinese wording for values the API answers as codes.
import type { TaskState } from './types';

export const TASK_STATE_LABELS: Record<TaskState, string> = { created: '待办', completed: '已完成', canceled: '已取消' };

const DEPARTMENT_LABELS: Record<string, string> = {
  bianban: '编办',
  org: '组织部',
  hrss: '人社局',
  insurance: '社保',
  finance: '财政局',
  veterans: '老干部局',
  unit: '用人单位',
  supervisor: '主管部门',
};

/** A candidate group as people say it: 编办, 编办领导, 用人单位 (U001)… */
export function groupLabel(group: string): string {
  const [kind, code] = group.split(':');
  if (code) return `${DEPARTMENT_LABELS[kind!] ?? kind} ${code}`;
  if (group.endsWith('-leader')) return `${DEPARTMENT_LABELS[group.slice(0, -'-leader'.length)] ?? group}领导`;
  return DEPARTMENT_LABELS[group] ?? group;
}

/**
 * The candidate group a user's group stands for in a task: unit and supervisor clerks hold
 * `unit:<code>` / `supervisor:<code>`, while tasks name the plain `unit` / `supervisor` group.
 */
export const taskGroupOf = (group: string): string => group.split(':')[0]!;

// The shapes the inbox reads from the API: the server's own types where their module imports nothing
// node-specific, else (server/services/tasks.ts, process-instances.ts, documents.ts, units.ts) as far
// as the page uses them.
import type { TaskActionName } from '../../../server/core/policy';
import type { TaskState } from '../../../server/repositories/user-tasks';

export type { ProcessDefinitionSummary } from '../../../server/repositories/process-definitions';
export type { TaskState };

export interface TaskItem {
  id: string;
  name: string | null;
  processId: string;
  instanceId: string;
  elementId: string;
  businessKey: string | null;
  state: TaskState;
  assignee: string | null;
  owner: string | null;
  candidateGroups: string[];
  priority: number;
  formId: string | null;
  dueAt: string | null;
  createdAt: string;
  completedAt: string | null;
  overdue: boolean;
  escalated: boolean;
  unitId: string | null;
  personName: string | null;
  /** what the signed-in user may do with the task now */
  actions: TaskActionName[];
}

export interface TaskDetail extends TaskItem {
  form: FormSchema | null;
  variables: Record<string, unknown>;
}

/** A form-js schema as deployed (processes/forms/*.form). */
export interface FormSchema {
  id?: string;
  components?: unknown[];
  [key: string]: unknown;
}

export interface TaskListMeta {
  total: number;
  page: number;
  pageSize: number;
  counts: Record<TaskState, number>;
  historyCountLimit: number;
}

export interface InstanceDetail {
  id: string;
  processId: string;
  version: number;
  businessKey: string | null;
  state: string;
  variables: Record<string, unknown>;
  openElements: { elementId: string; kind: string }[];
  incidents: { id: string; elementId: string | null; errorMessage: string }[];
}

export interface DocumentSummary {
  id: string;
  type: string;
  typeName: string;
  number: string;
  issuedOn: string;
  createdAt: string;
}

export interface DocumentDetail extends DocumentSummary {
  payload: Record<string, unknown>;
  code: string;
  verifyUrl: string;
  issuedBy: string | null;
}

export interface Unit {
  id: string;
  code: string;
  name: string;
}

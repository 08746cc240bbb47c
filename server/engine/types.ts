// The engine interface: what the API and the workers need of a workflow engine, whichever runs the
// diagrams (the embedded bpmn-engine adapter here; the Zeebe adapter implements the same).

export type Variables = Record<string, unknown>;

/** Who caused a command: a user, a worker or the engine itself (timers, follow-up commands). */
export interface Actor {
  kind: 'user' | 'worker' | 'system';
  id: string;
}

export interface DeployResource {
  name: string;
  content: string;
}

export interface DeployedProcess {
  processId: string;
  version: number;
  deploymentId: string;
  checksum: string;
  /** false when identical content was deployed before: no new version was made. */
  isNew: boolean;
}

export interface DeployedForm {
  formId: string;
  version: number;
  checksum: string;
  isNew: boolean;
}

export interface DeployResult {
  processes: DeployedProcess[];
  forms: DeployedForm[];
}

export interface StartInstanceCommand {
  processKey: string;
  version?: number;
  businessKey?: string | null;
  variables?: Variables;
}

export interface InstanceSummary {
  id: string;
  processId: string;
  version: number;
  deploymentId: string;
  businessKey: string | null;
  state: InstanceState;
  variables: Variables;
  createdAt: string;
  endedAt: string | null;
  parentInstanceId: string | null;
  incidents: number;
}

export type InstanceState = 'active' | 'completed' | 'terminated' | 'canceled';

export interface PublishMessageCommand {
  name: string;
  correlationKey?: string | null;
  variables?: Variables;
  /** how long a message nobody waits for yet is kept for a subscription that opens later (0: not kept) */
  timeToLiveMs?: number;
  /** with a time to live: a second message of the same name and id is refused while the first waits */
  messageId?: string | null;
}

export interface PublishMessageResult {
  /** instances whose waiting catch event received the message */
  correlated: string[];
  /** instances started by a message start event */
  started: string[];
  /** the id of the buffered message when nothing took it and it has a time to live */
  bufferedMessageId: string | null;
}

export interface ActivatedJob {
  key: string;
  type: string;
  instanceId: string;
  processId: string;
  elementId: string;
  retries: number;
  deadline: string;
  customHeaders: Record<string, string>;
  variables: Variables;
}

export interface ActivateJobsRequest {
  types: string[];
  worker: string;
  maxJobs: number;
  timeoutMs: number;
}

export interface FailJobCommand {
  retries: number;
  errorMessage: string;
  retryBackoffMs?: number;
}

/**
 * For a job's outcome: `worker` refuses it (409 JOB_NOT_LOCKED_BY_WORKER) unless the job is still
 * activated by that worker at that moment — not given back after its deadline, not taken by another.
 */
export interface JobOutcomeOptions {
  worker?: string;
  /** what the engine handed along with the job (the embedded engine's live session); opaque to workers */
  handoff?: unknown;
}

export interface WorkflowEngine {
  readonly kind: 'embedded' | 'zeebe';
  deploy(resources: DeployResource[], actor: Actor): Promise<DeployResult>;
  startInstance(command: StartInstanceCommand, actor: Actor): Promise<InstanceSummary>;
  cancelInstance(instanceId: string, actor: Actor): Promise<void>;
  publishMessage(command: PublishMessageCommand, actor: Actor): Promise<PublishMessageResult>;
  /** `requireAssignee`: refused (409) unless the task is assigned to that user at the moment of completion. */
  completeUserTask(taskId: string, variables: Variables, actor: Actor, options?: { requireAssignee?: string }): Promise<void>;
  activateJobs(request: ActivateJobsRequest): Promise<ActivatedJob[]>;
  completeJob(jobKey: string, variables: Variables, actor: Actor, options?: JobOutcomeOptions): Promise<void>;
  failJob(jobKey: string, command: FailJobCommand, actor: Actor, options?: JobOutcomeOptions): Promise<void>;
  throwError(jobKey: string, errorCode: string, errorMessage: string, variables: Variables, actor: Actor, options?: JobOutcomeOptions): Promise<void>;
  /** Moves the deadline of a job activated by `worker` to now + `timeoutMs` (404/409 when it is not). */
  extendJobLock(jobKey: string, worker: string, timeoutMs: number, actor: Actor): Promise<void>;
  /** Gives an activated job back at once: activatable again, retries unchanged. */
  unlockJob(jobKey: string, actor: Actor): Promise<void>;
  updateJobRetries(jobKey: string, retries: number, actor: Actor): Promise<void>;
  resolveIncident(incidentId: string, actor: Actor): Promise<void>;
  /** Start background work (timers, follow-up commands). */
  start(): Promise<void>;
  /** Stop background work and wait for the step in progress. */
  stop(): Promise<void>;
}

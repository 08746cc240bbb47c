// Row locks a step takes, always the instance row first, so that steps of one instance run one at a time.
import type { Knex } from 'knex';
import { conflict, notFound } from '../../core/errors';
import type { InstanceRow } from './step-writer';

/** The instance a step works on: by id, or by the job or task the command is about. */
export type StepTarget = string | { jobKey: string } | { taskId: string };

/** The job or task row a command is about, as locked with its instance. */
export interface LockedTarget {
  id: string;
  state: string;
  execution_id: string;
  /** jobs */
  type?: string;
  worker?: string | null;
  /** user tasks */
  assignee?: string | null;
}

const TARGET_COLUMNS = {
  jobs: ['id', 'state', 'execution_id', 'type', 'worker'],
  user_tasks: ['id', 'state', 'execution_id', 'assignee'],
};

/** Finds and locks the instance of a job or task, and that job or task row, in one round trip. */
export function lockInstanceOf(trx: Knex.Transaction, target: Exclude<StepTarget, string>): Promise<InstanceRow & { locked_target: LockedTarget }> {
  return instanceOf(trx, target, true);
}

/** The same without a lock: for a step that states what it expects when it writes (a guarded step). */
export function readInstanceOf(db: Knex, target: Exclude<StepTarget, string>): Promise<InstanceRow & { locked_target: LockedTarget }> {
  return instanceOf(db, target, false);
}

async function instanceOf(db: Knex, target: Exclude<StepTarget, string>, lock: boolean): Promise<InstanceRow & { locked_target: LockedTarget }> {
  const [table, id, what] = 'jobKey' in target ? (['jobs', target.jobKey, '作业 (job)'] as const) : (['user_tasks', target.taskId, '任务'] as const);
  const columns = TARGET_COLUMNS[table].flatMap((column) => [`'${column}'`, `t.${column}`]).join(', ');
  const query = db('process_instances as i')
    .join(`${table} as t`, 't.instance_id', 'i.id')
    .where('t.id', id)
    .select('i.*', db.raw(`jsonb_build_object(${columns}) as locked_target`));
  const row: (InstanceRow & { locked_target: LockedTarget }) | undefined = await (lock ? query.forUpdate() : query).first();
  if (!row) throw notFound(what);
  // the instance has ended, so its jobs and tasks are done too
  if (row.state !== 'active') {
    throw 'jobKey' in target
      ? conflict('JOB_NOT_ACTIVE', '作业已完成、已取消或不存在', { jobKey: id, instanceState: row.state })
      : conflict('TASK_NOT_ACTIVE', '任务已完成或已取消', { instanceState: row.state });
  }
  return row;
}

export function lockInstance(trx: Knex.Transaction, id: string, skipLocked?: false): Promise<InstanceRow>;
export function lockInstance(trx: Knex.Transaction, id: string, skipLocked?: boolean): Promise<InstanceRow | null>;
export async function lockInstance(trx: Knex.Transaction, id: string, skipLocked = false): Promise<InstanceRow | null> {
  const query = trx('process_instances').where({ id }).forUpdate();
  const row: InstanceRow | undefined = await (skipLocked ? query.skipLocked() : query).first();
  if (!row) {
    if (skipLocked) return null;
    throw notFound('流程实例');
  }
  if (row.state !== 'active') throw conflict('INSTANCE_NOT_ACTIVE', '流程实例已结束', { state: row.state });
  return row;
}


export async function lockActiveJob(trx: Knex.Transaction, jobKey: string): Promise<any> {
  return requireActiveJob(await trx('jobs').where({ id: jobKey }).forUpdate().first(), jobKey);
}

/** The job, refused unless it is still to be done (activatable, or activated by some worker). */
export function requireActiveJob<T extends { state: string }>(job: T | undefined, jobKey: string): T {
  if (!job || !['activated', 'activatable'].includes(job.state)) {
    throw conflict('JOB_NOT_ACTIVE', '作业已完成、已取消或不存在', { jobKey, state: job?.state ?? null });
  }
  return job;
}


// Jobs handed straight to this process's in-process worker by the step that creates them: the job
// row is written already activated by that worker (with its deadline and the job.activated event),
// and after the commit the job goes to the worker without an activation transaction. With it goes
// the instance's live session, so that the step completing the job continues on the same engine
// instead of loading the state it just saved; that step's statement is guarded (step_guard) so it
// writes only if nothing else has stepped the instance since.
//
// At-least-once is unchanged: a handed job whose worker dies is reclaimed when its deadline passes,
// like any activated job.
import type { ActivatedJob } from '../types';
import type { InstanceSession } from './instance-session';
import type { InstanceRow } from './step-writer';

/** The in-process worker as the step writer sees it. */
export interface LocalJobWorker {
  /** the worker name written on the job rows it is handed */
  readonly worker: string;
  /** whether it takes a job of this type now (it runs the type and has room in its queue) */
  takes(type: string): boolean;
  /** the deadline of a job handed now */
  deadline(): Date;
  /** called once the step that created the jobs has committed */
  deliver(jobs: HandedJob[]): void;
}

/** How the in-process worker binds itself to the engine (which supplies the deadlines from its clock). */
export type LocalWorkerBinding = Omit<LocalJobWorker, 'deadline'> & { timeoutMs: number };

/**
 * The live session of an instance after a committed step, for the step that follows it directly.
 * Taken at most once: when a step handed several jobs, the first completion continues on it and
 * the others load the state as usual.
 */
export interface SessionHandoff {
  readonly session: InstanceSession;
  /** the instance row as the step wrote it: the completing step expects the database to still hold it */
  readonly instance: InstanceRow;
  /** the jobs the step handed, by key: what completing one on this session needs of its row */
  readonly jobs: ReadonlyMap<string, { executionId: string; type: string; worker: string }>;
  taken: boolean;
}

export interface HandedJob extends ActivatedJob {
  /** absent when the instance has live timers: a due timer must fire first on the next load */
  handoff?: SessionHandoff;
}

/** The handed-over session, ready for the next step; null once another completion took it. */
export function takeHandoff(handoff: SessionHandoff): InstanceSession | null {
  if (handoff.taken) return null;
  handoff.taken = true;
  handoff.session.continueFromSaved();
  return handoff.session;
}

// Runs steps: one transaction per command on one instance, retried on deadlock, announcing what it
// created once committed; an engine error becomes an incident that holds the command.
import type { Knex } from 'knex';
import { conflict } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { appendAuditEvents, type AuditEventDraft } from '../../repositories/audit-events';
import type { Actor } from '../types';
import type { DefinitionStore } from './definitions';
import { InstanceSession, StepError, WaitGoneError, type SavedState } from './instance-session';
import type { HandedJob, LocalJobWorker } from './local-jobs';
import { lockInstance, lockInstanceOf, readInstanceOf, type LockedTarget, type StepTarget } from './locks';
import { actorLabel, applyStep, planStep, writeStep, type InstanceRow, type StepOutcome, type StepPlan } from './step-writer';

export type { StepTarget };

/**
 * What a command does inside its step. `defer` queues a row change of the command's own (the job
 * completed, the task completed) to be written in the step's single statement. `target`: the job or
 * task row the command is about, locked with the instance (null when the step was aimed at an instance id).
 */
export type StepAction = (
  session: InstanceSession,
  trx: Knex.Transaction,
  instance: InstanceRow,
  defer: (change: Knex.QueryBuilder) => void,
  target: LockedTarget | null,
) => Promise<AuditEventDraft[] | void>;

/**
 * A command's part of a guarded step (StepRunner.guardedStep): it reads the session and the rows it
 * was given and defers its own row change — nothing else. Usable as a StepAction too.
 */
export type DeferringAction = (
  session: InstanceSession,
  db: Knex,
  instance: InstanceRow,
  defer: (change: Knex.QueryBuilder) => void,
  target: LockedTarget | null,
) => Promise<AuditEventDraft[] | void>;

/** SQLSTATE of step_guard (migrations/…_create_step_guard.ts): a guarded step found the instance or its row changed */
const STEP_GUARD_FAILED = 'BZ001';

export const isStepGuardFailure = (err: unknown): boolean => (err as { code?: string } | null)?.code === STEP_GUARD_FAILED;

/** A command as an incident keeps it, to run it again when the incident is resolved. */
export interface IncidentCommand {
  kind: 'start' | 'start-child' | 'complete-job' | 'throw-error' | 'complete-user-task' | 'correlate' | 'fire-timer' | 'complete-call';
  [key: string]: unknown;
}

export type Notice = 'jobs' | 'commands';

export const SYSTEM: Actor = { kind: 'system', id: 'engine' };
const DEADLOCK = '40P01';
const SERIALIZATION = '40001';

interface CommitNotices {
  notices: Set<Notice>;
  handed: HandedJob[];
  /** the worker the handed jobs were planned for */
  worker: LocalJobWorker | null;
}

const noNotices = (): CommitNotices => ({ notices: new Set(), handed: [], worker: null });

export class StepRunner {
  /** what each open transaction created, announced once it commits */
  private readonly commitNotices = new WeakMap<Knex.Transaction, CommitNotices>();
  /** this process's in-process worker, when one runs: new jobs of its types are handed to it */
  private local: LocalJobWorker | null = null;

  constructor(private readonly deps: { db: Knex; log: Logger; definitions: DefinitionStore; notify: (notice: Notice) => void }) {}

  attachLocalWorker(worker: LocalJobWorker | null): void {
    this.local = worker;
  }

  /**
   * The in-process worker a step in `trx` may hand jobs to: only where the commit is heard of (not
   * in a savepoint). Without `trx`: for a step that will be written in a transaction of this runner.
   */
  localWorkerFor(trx?: Knex.Transaction): LocalJobWorker | null {
    return this.local && (!trx || this.commitNotices.has(trx)) ? this.local : null;
  }

  /**
   * One step on one instance in its own transaction. An engine error rolls the step back and opens
   * an incident that holds the command, so resolving the incident runs it again.
   */
  async step(target: StepTarget, actor: Actor, command: IncidentCommand, action: StepAction, opts: { skipLocked?: boolean } = {}): Promise<void> {
    let instanceId = typeof target === 'string' ? target : null;
    try {
      const outcome = await this.transaction((trx) =>
        this.stepIn(trx, target, actor, action, { ...opts, located: (id) => (instanceId = id) }),
      );
      if (outcome === 'wait-gone') throw conflict('ELEMENT_NOT_WAITING', '该环节已不在等待（可能已超时转走），未执行此操作', { instanceId });
    } catch (err) {
      if (!(err instanceof StepError) || !instanceId) throw err;
      const failedInstance = instanceId;
      await this.transaction(async (trx) => {
        const row = await lockInstance(trx, failedInstance);
        const jobKey = typeof command.jobKey === 'string' ? command.jobKey : null;
        if (jobKey) await trx('jobs').where({ id: jobKey }).update({ state: 'incident', updated_at: trx.fn.now() });
        await this.recordIncident(trx, row, err, command, actor, jobKey);
      });
    }
  }

  /**
   * Returns 'wait-gone' when the command's element no longer waited once the instance was resumed
   * (a due timer fired first): what the resume did is written, the command itself is not.
   */
  async stepIn(
    trx: Knex.Transaction,
    target: StepTarget,
    actor: Actor,
    action: StepAction,
    opts: { skipLocked?: boolean; located?: (instanceId: string) => void } = {},
  ): Promise<'done' | 'wait-gone' | 'skipped'> {
    const located = typeof target === 'string' ? await lockInstance(trx, target, opts.skipLocked) : await lockInstanceOf(trx, target);
    if (!located) return 'skipped';
    const { locked_target: lockedTarget = null, ...row } = located as InstanceRow & { locked_target?: LockedTarget };
    opts.located?.(row.id);
    if (!row.engine_state) throw conflict('INSTANCE_HAS_INCIDENT', '流程实例启动失败，请先解决故障', { instanceId: row.id });
    const session = await this.load(trx, row);
    const resumeEvents = session.events.length;
    const deferred: Knex.QueryBuilder[] = [];
    let extra: AuditEventDraft[] = [];
    try {
      extra = (await action(session, trx, row, (change) => deferred.push(change), lockedTarget)) ?? [];
    } catch (err) {
      if (!(err instanceof WaitGoneError)) throw err;
      if (resumeEvents === 0) return 'wait-gone';
      this.announce(trx, await writeStep(trx, row, session, SYSTEM, [], [], this.localWorkerFor(trx)));
      return 'wait-gone';
    }
    this.announce(trx, await writeStep(trx, row, session, actor, extra, deferred, this.localWorkerFor(trx)));
    return 'done';
  }

  /**
   * A step read without a lock and written as one guarded statement (no transaction: step_guard
   * aborts it unless the instance is still at the step it read and each deferred change — which must
   * state with RETURNING what it expects of its row — hit its one row). False where it cannot be
   * done so: the resume did something (a due timer fired), the engine raised an error, the element
   * no longer waits, or the instance or the row changed meanwhile. The caller then runs the locked
   * step, which sees what changed and decides — incidents and refusals are its business.
   */
  async guardedStep(target: Exclude<StepTarget, string>, actor: Actor, action: DeferringAction): Promise<boolean> {
    const db = this.deps.db;
    try {
      const { locked_target: row, ...instance } = await readInstanceOf(db, target);
      if (!instance.engine_state) return false;
      const session = await this.load(db, instance);
      if (session.events.length) return false;
      const deferred: Knex.QueryBuilder[] = [];
      const extra = (await action(session, db, instance, (change) => deferred.push(change), row)) ?? [];
      return await this.writeGuarded(await planStep(instance, session, actor, extra, this.localWorkerFor()), deferred);
    } catch (err) {
      if (err instanceof StepError || err instanceof WaitGoneError) return false;
      throw err;
    }
  }

  /** The instance's engine loaded from its saved state. */
  private async load(db: Knex, row: InstanceRow): Promise<InstanceSession> {
    const { model } = await this.deps.definitions.byId(row.definition_id, db);
    return InstanceSession.recover(model, row.id, row.variables, row.engine_state as SavedState, row.start_event_id);
  }

  /**
   * Writes a step planned without the lock as one guarded statement; false when step_guard refused
   * it, or when it would cancel child instances (statements of their own, which only a transaction
   * makes one with the step).
   */
  async writeGuarded(plan: StepPlan, commandChanges: Knex.QueryBuilder[]): Promise<boolean> {
    if (plan.callsClosed.length) return false;
    try {
      await this.statement((db) => applyStep(db, plan, commandChanges, 'guarded'));
      return true;
    } catch (err) {
      if (isStepGuardFailure(err)) return false;
      throw err;
    }
  }

  async recordIncident(trx: Knex.Transaction, row: InstanceRow, err: StepError, command: IncidentCommand, actor: Actor, jobKey: string | null): Promise<void> {
    const [incident] = await trx('incidents')
      .insert({ instance_id: row.id, job_id: jobKey, element_id: err.elementId, error_type: err.errorType, error_message: err.message, command: JSON.stringify(command) })
      .returning('id');
    this.deps.log.warn({ instanceId: row.id, elementId: err.elementId, errorType: err.errorType }, 'incident raised');
    await appendAuditEvents(trx, [
      { actor: actorLabel(actor), kind: 'incident.created', instanceId: row.id, elementId: err.elementId, payload: { incidentId: incident.id, errorType: err.errorType, message: err.message, command: command.kind } },
    ]);
  }

  /** Notes what a step created; listeners hear of it once the transaction has committed. */
  announce(trx: Knex.Transaction, outcome: StepOutcome): void {
    const pending = this.commitNotices.get(trx);
    if (pending) this.collect(pending, outcome);
    else this.announceCommitted(this.collect(noNotices(), outcome)); // a savepoint: early, and harmless (the loop looks again; no job is handed in one)
  }

  private collect(pending: CommitNotices, outcome: StepOutcome): CommitNotices {
    if (outcome.jobsCreated) pending.notices.add('jobs');
    if (outcome.commandsCreated) pending.notices.add('commands');
    if (outcome.handed.length) {
      pending.handed.push(...outcome.handed);
      pending.worker = this.local;
    }
    return pending;
  }

  private announceCommitted(pending: CommitNotices): void {
    if (pending.handed.length) pending.worker?.deliver(pending.handed);
    for (const notice of pending.notices) this.deps.notify(notice);
  }

  /** A step that is one statement by itself (atomic without a transaction), retried on deadlock; announced once it returns. */
  async statement(work: (db: Knex) => Promise<StepOutcome>): Promise<StepOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await work(this.deps.db);
        this.announceCommitted(this.collect(noNotices(), outcome));
        return outcome;
      } catch (err) {
        if ((err as { code?: string }).code === DEADLOCK && attempt < 5) continue;
        throw err;
      }
    }
  }

  /** A transaction retried on deadlock / serialization failure; announcements go out after commit. */
  async transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const pending = noNotices();
      try {
        const result = await this.deps.db.transaction((trx) => {
          this.commitNotices.set(trx, pending);
          return work(trx);
        });
        this.announceCommitted(pending);
        return result;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if ((code === DEADLOCK || code === SERIALIZATION) && attempt < 5) continue;
        throw err;
      }
    }
  }
}

// notify.veterans-bureau — J1 step 6 通知老干部局 (domain-spec.md §1.2 J1): when the retiree's 职务职级 is at or
// above the parameter veterans.notify-threshold (default 县处级/四级调研员 and above; or all), every active user
// of department 'veterans' gets a notification and the audit log an event veterans.notified, in one transaction.
// Titles name the unit, never the person (notifications are not the place for personal data). Idempotent: the
// audit event carries the job key; a redelivered job finds it and notifies nobody twice.
//
// Variables in:  personId, retirement? (its `post`, when the retirement step recorded one)
// Variables out: veteransNotified (boolean)
// BPMN errors:   none
// Failures:      invalid input, unknown person → fail with retries 0
import { isUuid } from '../server/core/errors';
import { isoDate } from '../domain/id-number';
import { VETERANS_NOTIFY_THRESHOLD, type VeteransNotifyThreshold } from '../domain/parameters/person';
import { appendAuditEvents } from '../server/repositories/audit-events';
import { insertNotifications } from '../server/repositories/notifications';
import { findPerson, leaderPostOf, listPersonEvents } from '../server/repositories/persons';
import { createUsersRepository } from '../server/repositories/users';
import { complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';

export const jobType = 'notify.veterans-bureau';

export const VETERANS_DEPARTMENT = 'veterans';

export interface NotifyVeteransInput {
  personId?: unknown;
  retirement?: { post?: unknown } | null;
}

/** Whether any of the person's post texts reaches the threshold. */
export function reachesVeteransThreshold(posts: readonly string[], threshold: VeteransNotifyThreshold): boolean {
  if (threshold.mode === 'all') return true;
  return posts.some((post) => threshold.postKeywords.some((keyword) => keyword !== '' && post.includes(keyword)));
}

export const createHandler =
  (deps: WorkerDeps): JobHandler<NotifyVeteransInput> =>
  async (job) => {
    const v = job.variables ?? {};
    if (!isUuid(v.personId)) return fail({ message: '变量 personId 须为人员 id (uuid)', retries: 0 });
    const personId = v.personId;
    const person = await findPerson(deps.db, personId);
    if (!person) return fail({ message: `人员不存在：${personId}`, retries: 0 });

    // the posts held: the record's post, a leader post still on it, and those on the 退休/出编 event
    const events = await listPersonEvents(deps.db, personId);
    const last = [...events].reverse().find((e) => e.event_type === 'retire' || e.event_type === 'leave');
    const posts = [
      person.post,
      leaderPostOf(person.profile)?.level,
      typeof last?.details?.post === 'string' ? last.details.post : undefined,
      leaderPostOf(last?.details)?.level,
      typeof v.retirement?.post === 'string' ? v.retirement.post : undefined,
    ].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
    const threshold = (await deps.parameters.get<VeteransNotifyThreshold>(VETERANS_NOTIFY_THRESHOLD, isoDate(deps.clock()))).value;
    if (!reachesVeteransThreshold(posts, threshold)) return complete({ veteransNotified: false });

    const jobKey = `${job.instanceId}:${job.elementId}`;
    const unitId = person.unit_id ?? last?.unit_id ?? null;
    await deps.db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`veterans.notified:${jobKey}`]);
      const done = await trx('audit_events')
        .where({ kind: 'veterans.notified' })
        .modify((q) => {
          if (isUuid(job.instanceId)) q.where({ instance_id: job.instanceId });
        })
        .whereRaw('payload @> ?::jsonb', [JSON.stringify({ jobKey })])
        .first('seq');
      if (done) return;

      const roles = (await trx('roles').pluck('id')) as string[];
      const recipients = await createUsersRepository(trx).activeByDepartmentAndRoles(VETERANS_DEPARTMENT, roles);
      const unit = unitId ? await trx('units').where({ id: unitId }).first('name') : undefined;
      const instance = isUuid(job.instanceId) ? await trx('process_instances').where({ id: job.instanceId }).first('id') : undefined;
      await insertNotifications(
        trx,
        recipients.map((user) => ({
          username: user.username,
          kind: 'veterans.retiree' as const,
          title: `离退休干部通知：${unit?.name ?? '区属单位'}有一名干部退休，请办理接收`,
          instanceId: instance?.id ?? null,
          actor: `worker:${jobType}`,
        })),
      );
      await appendAuditEvents(trx, [
        {
          actor: `worker:${jobType}`,
          kind: 'veterans.notified',
          instanceId: isUuid(job.instanceId) ? job.instanceId : null,
          elementId: job.elementId,
          payload: { jobKey, personId, unitId, recipients: recipients.map((u) => u.username), threshold: threshold.mode },
        },
      ]);
    });
    return complete({ veteransNotified: true });
  };

export const worker: WorkerDefinition = { jobType, createHandler };

// person.change-post — T2 职务职级/岗位变动 (domain-spec.md §1.2 T2, §2.2 领导职数): the person's new post takes
// effect in ONE transaction — person.post and profile.leaderPost changed, the 领导职数 实配 of the new leader post
// +1 only while 实配 < 核定 (the rule is the UPDATE's condition, so two appointments never over-fill it), the
// old one −1, one person_events 'post-change' row. Idempotent: a redelivered job finds its event.
//
// Variables in:  personId, unitId (the case's unit: the person must be 在编 there), newPost, isLeaderPost?,
//                leaderPost? {level, kind: principal|deputy} (when isLeaderPost), changeType?, effectiveDate?
//                (default today), decisionDocNo?
// Variables out: postChangedOn
// BPMN errors:   LEADER_POSTS_EXHAUSTED — no vacant 领导职数 of that level and kind (nothing changed)
// Failures:      invalid input, unknown person, person not 在编 in the unit → retries 0
import { isUuid } from '../server/core/errors';
import { isRealDate, isoDate } from '../domain/id-number';
import { insertPersonEvent, leaderPostOf, updatePerson, withoutLeaderPost } from '../server/repositories/persons';
import { changeLeaderPostActual } from '../server/repositories/quotas';
import { fail, type JobHandler } from './job';
import { changePersonOnce, PersonStepRefusal } from './person-step';
import type { WorkerDefinition, WorkerDeps } from './registry';

export const jobType = 'person.change-post';

export interface ChangePostInput {
  personId?: unknown;
  unitId?: unknown;
  newPost?: unknown;
  isLeaderPost?: unknown;
  leaderPost?: { level?: unknown; kind?: unknown } | null;
  changeType?: unknown;
  effectiveDate?: unknown;
  decisionDocNo?: unknown;
}

export const createHandler =
  (deps: WorkerDeps): JobHandler<ChangePostInput> =>
  async (job) => {
    const v = job.variables ?? {};
    if (!isUuid(v.personId)) return fail({ message: '变量 personId 须为人员 id (uuid)', retries: 0 });
    if (!isUuid(v.unitId)) return fail({ message: '变量 unitId 须为单位 id (uuid)', retries: 0 });
    if (typeof v.newPost !== 'string' || !v.newPost.trim() || v.newPost.length > 30) return fail({ message: '变量 newPost（新职务职级/岗位）必填，不超过 30 字', retries: 0 });
    let newLeaderPost: { level: string; kind: 'principal' | 'deputy' } | undefined;
    if (v.isLeaderPost === true) {
      newLeaderPost = leaderPostOf({ leaderPost: v.leaderPost });
      if (!newLeaderPost) return fail({ message: '领导职务须填写层次与正副职 (leaderPost.level, leaderPost.kind)', retries: 0 });
    }
    const effectiveDate = v.effectiveDate === undefined || v.effectiveDate === null || v.effectiveDate === '' ? isoDate(deps.clock()) : v.effectiveDate;
    if (typeof effectiveDate !== 'string' || !isRealDate(effectiveDate)) return fail({ message: '变量 effectiveDate（任职时间）须为 yyyy-mm-dd', retries: 0 });
    const { personId, unitId } = v;
    return changePersonOnce(deps, job, personId, ['post-change'], 'postChangedOn', async (trx, person, jobKey) => {
      if (person.status !== 'active' || person.unit_id !== unitId) throw new PersonStepRefusal('该人员不在本单位在编，不能办理职务变动');
      const oldLeaderPost = leaderPostOf(person.profile);
      const samePost = oldLeaderPost && newLeaderPost && oldLeaderPost.level === newLeaderPost.level && oldLeaderPost.kind === newLeaderPost.kind;
      if (newLeaderPost && !samePost) {
        const rows = await trx('leader_posts')
          .where({ unit_id: unitId, level: newLeaderPost.level, kind: newLeaderPost.kind })
          .whereRaw('actual < approved')
          .update({ actual: trx.raw('actual + 1') })
          .returning('id');
        if (rows.length !== 1) {
          throw new PersonStepRefusal(`本单位${newLeaderPost.level}${newLeaderPost.kind === 'principal' ? '正职' : '副职'}领导职数已满`, 'LEADER_POSTS_EXHAUSTED');
        }
      }
      if (oldLeaderPost && !samePost) await changeLeaderPostActual(trx, unitId, oldLeaderPost, -1);
      const profile = newLeaderPost ? { ...withoutLeaderPost(person.profile), leaderPost: newLeaderPost } : withoutLeaderPost(person.profile);
      await updatePerson(trx, personId, { post: v.newPost as string, profile });
      await insertPersonEvent(trx, {
        personId,
        eventType: 'post-change',
        occurredOn: effectiveDate,
        unitId,
        bianzhiType: person.bianzhi_type,
        reason: typeof v.changeType === 'string' ? v.changeType : '职务变动',
        instanceId: job.instanceId,
        documentNumber: typeof v.decisionDocNo === 'string' && v.decisionDocNo ? v.decisionDocNo : null,
        details: { jobKey, fromPost: person.post, toPost: v.newPost, ...(oldLeaderPost ? { leaderPostLeft: oldLeaderPost } : {}), ...(newLeaderPost ? { leaderPostTaken: newLeaderPost } : {}) },
      });
      return effectiveDate;
    });
  };

export const worker: WorkerDefinition = { jobType, createHandler };

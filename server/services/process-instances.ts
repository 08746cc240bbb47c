// Starting, reading and canceling instances; messages; incidents. Unit clerks see and start only
// their own unit's cases (the unit is the instance variable `unitId`); a 主管部门 clerk also sees its
// subordinate units' cases (policy.ts caseScopeOf).
import type { Knex } from 'knex';
import type { AuthUser } from '../core/auth-user';
import { forbidden, notFound, requireUuid, validationFailed } from '../core/errors';
import { caseScopeOf, inCaseScope, type CaseScope } from '../core/policy';
import type { Actor, InstanceSummary, PublishMessageResult, Variables, WorkflowEngine } from '../engine/types';
import { appendAuditEvents } from '../repositories/audit-events';
import { findInstance, listInstanceIncidents, listInstances, listOpenElements, type InstanceFilter, type InstanceListItem } from '../repositories/process-instances';

export interface StartInstanceInput {
  processKey: string;
  businessKey?: string;
  variables?: Variables;
}

export interface InstanceDetail {
  id: string;
  processId: string;
  version: number;
  businessKey: string | null;
  state: string;
  variables: Variables;
  parentInstanceId: string | null;
  startedBy: string;
  createdAt: string;
  endedAt: string | null;
  openElements: { elementId: string; kind: string }[];
  incidents: { id: string; jobKey: string | null; elementId: string | null; errorType: string; errorMessage: string; state: string; createdAt: string }[];
}

export interface ProcessInstanceService {
  start(input: StartInstanceInput, user: AuthUser): Promise<InstanceSummary>;
  list(filter: InstanceFilter, user: AuthUser): Promise<{ items: InstanceListItem[]; total: number }>;
  get(id: string, user: AuthUser): Promise<InstanceDetail>;
  cancel(id: string, user: AuthUser): Promise<void>;
  publishMessage(input: { name: string; correlationKey?: string; variables?: Variables; timeToLiveMs?: number; messageId?: string }, user: AuthUser): Promise<PublishMessageResult>;
  resolveIncident(id: string, user: AuthUser): Promise<void>;
  updateJobRetries(jobKey: string, retries: number, user: AuthUser): Promise<void>;
}

export const actorOf = (user: AuthUser): Actor => ({ kind: user.roles.includes('worker') ? 'worker' : 'user', id: user.username });

/** Which cases a user may see: every unit's, or some units' (none when a unit account has no unit). */
export type UnitScope = CaseScope;
export const unitScopeOf = (user: AuthUser): UnitScope => caseScopeOf(user);

export function createProcessInstanceService(deps: { db: Knex; engine: WorkflowEngine }): ProcessInstanceService {
  const { db, engine } = deps;

  async function visibleInstance(id: string, user: AuthUser) {
    const row = await findInstance(db, requireUuid(id, '流程实例'));
    if (!row) throw notFound('流程实例');
    if (!inCaseScope(unitScopeOf(user), row.variables?.unitId)) {
      // answered like a missing instance, recorded as the denial it is
      await db.transaction((trx) =>
        appendAuditEvents(trx, [{ actor: `user:${user.username}`, kind: 'access.denied', instanceId: row.id, payload: { status: 404, action: 'process-instance.read', reason: 'scope' } }]),
      );
      throw notFound('流程实例');
    }
    return row;
  }

  return {
    async start(input, user) {
      const variables = { ...(input.variables ?? {}) };
      const scope = unitScopeOf(user);
      if (scope.kind === 'units') {
        // a unit account starts cases of its own unit (a 主管部门 clerk may name a subordinate unit)
        const own = user.unitId;
        if (own === null || !scope.unitIds.includes(own)) throw forbidden('账号未关联单位，不能发起流程');
        if (variables.unitId !== undefined && !scope.unitIds.includes(variables.unitId as string)) {
          throw validationFailed([{ field: '/variables/unitId', message: '只能为本单位（或所属单位）发起流程' }]);
        }
        variables.unitId ??= own;
      }
      return engine.startInstance({ processKey: input.processKey, businessKey: input.businessKey ?? null, variables }, actorOf(user));
    },
    async list(filter, user) {
      const scope = unitScopeOf(user);
      if (scope.kind === 'units' && scope.unitIds.length === 0) return { items: [], total: 0 };
      return listInstances(db, filter, scope.kind === 'units' ? scope.unitIds : null);
    },
    async get(id, user) {
      const row = await visibleInstance(id, user);
      const [openElements, incidents] = await Promise.all([listOpenElements(db, row.id), listInstanceIncidents(db, row.id)]);
      return {
        id: row.id,
        processId: row.process_id,
        version: row.version,
        businessKey: row.business_key,
        state: row.state,
        variables: row.variables,
        parentInstanceId: row.parent_instance_id,
        startedBy: row.started_by,
        createdAt: new Date(row.created_at).toISOString(),
        endedAt: row.ended_at ? new Date(row.ended_at).toISOString() : null,
        openElements,
        incidents: incidents.map((i) => ({
          id: i.id,
          jobKey: i.job_id,
          elementId: i.element_id,
          errorType: i.error_type,
          errorMessage: i.error_message,
          state: i.state,
          createdAt: new Date(i.created_at).toISOString(),
        })),
      };
    },
    async cancel(id, user) {
      await visibleInstance(id, user);
      await engine.cancelInstance(id, actorOf(user));
    },
    publishMessage: (input, user) =>
      engine.publishMessage(
        { name: input.name, correlationKey: input.correlationKey ?? null, variables: input.variables ?? {}, timeToLiveMs: input.timeToLiveMs, messageId: input.messageId ?? null },
        actorOf(user),
      ),
    resolveIncident: (id, user) => engine.resolveIncident(requireUuid(id, '故障'), actorOf(user)),
    updateJobRetries: (jobKey, retries, user) => engine.updateJobRetries(requireUuid(jobKey, '作业'), retries, actorOf(user)),
  };
}

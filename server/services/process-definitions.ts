// Deployed workflows: what runs, every version's diagram, and deployment through the engine.
import type { Knex } from 'knex';
import type { AuthUser } from '../core/auth-user';
import { notFound } from '../core/errors';
import type { DeployResource, DeployResult, WorkflowEngine } from '../engine/types';
import { findDefinitionXml, listDefinitionVersions, listLatestDefinitions, type ProcessDefinitionSummary } from '../repositories/process-definitions';

export interface ProcessDefinitionService {
  list(): Promise<ProcessDefinitionSummary[]>;
  versions(processId: string): Promise<ProcessDefinitionSummary[]>;
  xml(processId: string, version?: number): Promise<{ version: number; xml: string }>;
  deploy(resources: DeployResource[], user: AuthUser): Promise<DeployResult>;
}

export function createProcessDefinitionService(deps: { db: Knex; engine: WorkflowEngine }): ProcessDefinitionService {
  return {
    list: () => listLatestDefinitions(deps.db),
    async versions(processId) {
      const versions = await listDefinitionVersions(deps.db, processId);
      if (!versions.length) throw notFound(`流程 ${processId}`);
      return versions;
    },
    async xml(processId, version) {
      const found = await findDefinitionXml(deps.db, processId, version);
      if (!found) throw notFound(`流程 ${processId}${version ? ` 版本 ${version}` : ''}`);
      return found;
    },
    deploy: (resources, user) => deps.engine.deploy(resources, { kind: 'user', id: user.username }),
  };
}

// What the modeler page needs besides the process definitions: the element templates it offers, the
// deployed forms it edits, and a dry run of the deployment checks (the same checkDeployable a
// deployment runs, so the live lint panel shows exactly what a deploy would refuse).
import type { Knex } from 'knex';
import { notFound, validationFailed } from '../core/errors';
import { checkDeployable } from '../engine/deploy-checks';
import { bundledElementTemplates, type ElementTemplate } from '../engine/element-templates';
import type { LintFinding } from '../engine/lint';
import { findForm, listLatestForms, type FormDefinition, type FormDefinitionSummary } from '../repositories/form-definitions';

export interface ModelingService {
  elementTemplates(): readonly ElementTemplate[];
  forms(): Promise<FormDefinitionSummary[]>;
  form(formId: string, version?: number): Promise<FormDefinition>;
  lint(resource: { name: string; content: string }): Promise<{ processIds: string[]; findings: LintFinding[] }>;
}

export function createModelingService(deps: { db: Knex; elementTemplates?: () => readonly ElementTemplate[] }): ModelingService {
  const templates = deps.elementTemplates ?? bundledElementTemplates;
  return {
    elementTemplates: templates,
    forms: () => listLatestForms(deps.db),
    async form(formId, version) {
      const found = await findForm(deps.db, formId, version);
      if (!found) throw notFound(`表单 ${formId}${version ? ` 版本 ${version}` : ''}`);
      return found;
    },
    async lint({ name, content }) {
      if (!/\.bpmn$/i.test(name)) throw validationFailed([{ field: '/name', message: '只检查 .bpmn 流程图' }]);
      return checkDeployable(content, { elementTemplates: templates() });
    },
  };
}

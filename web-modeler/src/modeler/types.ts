// What the modeler page reads from the API: the server's own types where their module imports nothing
// node-specific, else (server/engine/element-templates.ts, lint.ts, deploy-resources.ts) as far as the
// page uses them.
export type { DeployResult } from '../../../server/engine/types';
export type { ProcessDefinitionSummary } from '../../../server/repositories/process-definitions';
export type { FormDefinition, FormDefinitionSummary } from '../../../server/repositories/form-definitions';

export interface ElementTemplate {
  id: string;
  name: string;
  version?: number;
  description?: string;
  appliesTo: string[];
  elementType?: { value: string };
}

export interface LintFinding {
  id: string;
  rule: string;
  message: string;
  category: 'error' | 'warn';
}

/** POST /api/deployments: 422 LINT_FAILED details */
export interface LintFailure {
  resource: string;
  findings: LintFinding[];
}

// What the modeler page reads from the API.
export interface ProcessDefinitionSummary {
  id: string;
  processId: string;
  name: string | null;
  version: number;
  latestVersion: number;
  deployedBy: string;
  deployedAt: string;
}

export interface FormSummary {
  formId: string;
  version: number;
  deployedBy: string;
  deployedAt: string;
}

export interface FormDefinition extends FormSummary {
  schema: Record<string, unknown>;
}

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

export interface DeployResult {
  processes: Array<{ processId: string; version: number; isNew: boolean }>;
  forms: Array<{ formId: string; version: number; isNew: boolean }>;
}

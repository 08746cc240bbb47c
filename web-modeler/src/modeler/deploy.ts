// Deploys one diagram or form through POST /api/deployments (multipart field `resources`, as Camunda's).
import { api, ApiError } from '../shared/api';
import type { DeployResult, LintFailure, LintFinding } from './types';

export function deployResource(name: string, content: string, type: string): Promise<DeployResult> {
  const body = new FormData();
  body.append('resources', new Blob([content], { type }), name);
  return api.post<DeployResult>('/api/deployments', body);
}

/** The findings of a 422 LINT_FAILED for one resource, or undefined for any other error. */
export function refusedFindings(error: unknown, resource: string): LintFinding[] | undefined {
  if (!(error instanceof ApiError) || error.status !== 422 || !Array.isArray(error.details)) return undefined;
  const failures = error.details as LintFailure[];
  return failures.find((f) => f.resource === resource)?.findings ?? failures.flatMap((f) => f.findings ?? []);
}

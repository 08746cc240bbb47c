// What a deployment is made of, checked alike for both engines before anything is stored or sent:
// every .bpmn through the lint and the deploy checks (./deploy-checks), every .form parsed as a
// form-js schema. Another file type is a 400; any error finding is a 422 naming every refused file.
import { AppError, validationFailed } from '../core/errors';
import type { AuditEventDraft } from '../repositories/audit-events';
import { checkDeployable } from './deploy-checks';
import { lintErrors, type LintFinding } from './lint';
import type { DeployResource, DeployResult } from './types';

export interface LintFailureDetail {
  resource: string;
  findings: LintFinding[];
}

export interface CheckedDiagram {
  resource: DeployResource;
  processId: string;
  name: string | null;
}

export interface CheckedForm {
  resource: DeployResource;
  formId: string;
  schema: unknown;
}

export async function checkResources(resources: DeployResource[]): Promise<{ diagrams: CheckedDiagram[]; forms: CheckedForm[] }> {
  if (!resources.length) throw validationFailed([{ field: 'resources', message: '请至少上传一个 .bpmn 或 .form 文件' }]);
  const diagrams: CheckedDiagram[] = [];
  const forms: CheckedForm[] = [];
  const failures: LintFailureDetail[] = [];

  for (const resource of resources) {
    if (/\.bpmn$/i.test(resource.name)) {
      const { processIds, findings } = await checkDeployable(resource.content);
      const errors = lintErrors(findings);
      if (errors.length) failures.push({ resource: resource.name, findings });
      else diagrams.push({ resource, processId: processIds[0], name: processNameOf(resource.content, processIds[0]) });
    } else if (/\.form$/i.test(resource.name)) {
      const form = parseForm(resource);
      if ('finding' in form) failures.push({ resource: resource.name, findings: [form.finding] });
      else forms.push({ resource, formId: form.formId, schema: form.schema });
    } else {
      throw validationFailed([{ field: 'resources', message: `不支持的文件类型：${resource.name}（只接受 .bpmn 和 .form）` }]);
    }
  }
  if (failures.length) throw new AppError(422, 'LINT_FAILED', '流程图检查未通过，未部署任何文件', failures);
  return { diagrams, forms };
}

/** The `deployment.created` event; `extra` is what an engine adds to its payload (the cluster's keys). */
export function deploymentCreated(actor: string, result: DeployResult, extra: Record<string, unknown> = {}): AuditEventDraft {
  return {
    actor,
    kind: 'deployment.created',
    payload: {
      processes: result.processes.map((p) => ({ processId: p.processId, version: p.version, checksum: p.checksum, isNew: p.isNew })),
      forms: result.forms,
      ...extra,
    },
  };
}

function processNameOf(xml: string, processId: string): string | null {
  const match = new RegExp(`<(?:\\w+:)?process\\b[^>]*\\bid="${processId}"[^>]*>`).exec(xml);
  const name = match && /\bname="([^"]*)"/.exec(match[0]);
  return name ? name[1] : null;
}

function parseForm(resource: DeployResource): { formId: string; schema: unknown } | { finding: LintFinding } {
  try {
    const schema = JSON.parse(resource.content) as { id?: unknown; components?: unknown };
    if (typeof schema.id !== 'string' || !schema.id) return { finding: { id: '', rule: 'form-id', category: 'error', message: '表单缺少 id (form schema has no id)' } };
    if (!Array.isArray(schema.components)) return { finding: { id: schema.id, rule: 'form-components', category: 'error', message: '表单缺少 components 数组' } };
    return { formId: schema.id, schema };
  } catch (err) {
    return { finding: { id: '', rule: 'form-json', category: 'error', message: `表单不是有效的 JSON: ${(err as Error).message}` } };
  }
}

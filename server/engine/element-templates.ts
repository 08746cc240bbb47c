/**
 * The element templates of processes/element-templates (Camunda 8 / Zeebe element templates): the
 * modeler offers them, and a deployment re-checks that every templated element still carries what its
 * template fixes. The Modeler locks those fields in the UI only; the XML can still be edited by hand
 * or by another tool, and a service task whose job type drifted from its template reaches the wrong
 * worker (or none).
 *
 * What counts as fixed: a property with a `value` that is `Hidden` or `editable: false`, and always
 * the job type (`zeebe:taskDefinition` type). A property with a `condition` is active only for some
 * values of another property and is not checked. Bindings we do not read (messages, linked
 * resources, execution listeners) are not checked either.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LintFinding, ModdleElement } from './lint';

export const ELEMENT_TEMPLATE_MISMATCH = 'element-template-mismatch';
export const ELEMENT_TEMPLATES_DIR = fileURLToPath(new URL('../../processes/element-templates/', import.meta.url));

export interface ElementTemplateBinding {
  type: string;
  property?: string;
  key?: string;
  name?: string;
  source?: string;
}

export interface ElementTemplateProperty {
  type?: string;
  label?: string;
  value?: unknown;
  editable?: boolean;
  condition?: unknown;
  binding: ElementTemplateBinding;
}

export interface ElementTemplate {
  id: string;
  name: string;
  version?: number;
  description?: string;
  appliesTo: string[];
  elementType?: { value: string };
  properties: ElementTemplateProperty[];
  [other: string]: unknown;
}

let bundled: ElementTemplate[] | undefined;

/** The templates shipped in processes/element-templates, read once, in file-name order. */
export function bundledElementTemplates(): readonly ElementTemplate[] {
  bundled ??= readElementTemplates(ELEMENT_TEMPLATES_DIR);
  return bundled;
}

export function readElementTemplates(dir: string): ElementTemplate[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as ElementTemplate);
}

/** The job type a template fixes, if it is a job-worker template. */
export function templateJobType(template: ElementTemplate): string | undefined {
  const property = template.properties.find((p) => isTaskType(p.binding));
  return typeof property?.value === 'string' ? property.value : undefined;
}

/**
 * Findings for the elements of `processes` (and their subprocesses) that name a template with
 * `zeebe:modelerTemplate`: the template must be known and every fixed field must hold its value.
 */
export function checkElementTemplates(processes: readonly ModdleElement[], templates: readonly ElementTemplate[]): LintFinding[] {
  const byId = new Map(templates.map((template) => [template.id, template]));
  return processes.flatMap((process) => flowElements(process)).flatMap((element) => {
    const templateId = element.modelerTemplate;
    if (typeof templateId !== 'string' || templateId === '') return [];
    const template = byId.get(templateId);
    if (!template) {
      return [mismatch(element, `元素模板 ${templateId} 不存在`, `element template ${templateId} is unknown`)];
    }
    return checkAgainst(element, template);
  });
}

// ---------------------------------------------------------------------------------------------

function checkAgainst(element: ModdleElement, template: ElementTemplate): LintFinding[] {
  const findings: LintFinding[] = [];
  const expectedType = template.elementType?.value;
  if (expectedType && element.$type !== expectedType) {
    findings.push(mismatch(element, `应为 ${expectedType}，实际为 ${element.$type}（元素模板「${template.name}」）`, `should be ${expectedType} (template ${template.id})`));
  }
  for (const property of template.properties) {
    if (!isFixed(property)) continue;
    const actual = boundValue(element, property.binding);
    if (actual === UNREADABLE) continue;
    const expected = property.binding.type === 'zeebe:userTask' ? PRESENT : String(property.value);
    if (actual === expected) continue;
    const what = describe(property);
    const shown = actual === undefined ? '未设置' : actual === PRESENT ? '已设置' : actual;
    findings.push(mismatch(
      element,
      `与元素模板「${template.name}」不一致：${what}应为 ${expected === PRESENT ? '已设置' : expected}，实际为 ${shown}`,
      `does not match element template ${template.id}: ${property.binding.type} ${property.binding.property ?? property.binding.key ?? property.binding.name ?? ''} should be ${expected === PRESENT ? 'present' : expected}, is ${actual ?? 'unset'}`,
    ));
  }
  return findings;
}

const PRESENT = '\u0000present';
const UNREADABLE = Symbol('unreadable');

function isTaskType(binding: ElementTemplateBinding): boolean {
  return (binding.type === 'zeebe:taskDefinition' && binding.property === 'type') || binding.type === 'zeebe:taskDefinition:type';
}

function isFixed(property: ElementTemplateProperty): boolean {
  if (property.condition !== undefined) return false;
  if (property.binding.type === 'zeebe:userTask') return true;
  if (property.value === undefined) return false;
  return isTaskType(property.binding) || property.type === 'Hidden' || property.editable === false;
}

/** What the element holds where the binding points: a string, undefined when unset, PRESENT for marker bindings. */
function boundValue(element: ModdleElement, binding: ElementTemplateBinding): string | undefined | typeof UNREADABLE {
  if (isTaskType(binding)) return str(extension(element, 'zeebe:TaskDefinition')?.type);
  switch (binding.type) {
    case 'property':
      return binding.name ? str(element[binding.name]) : UNREADABLE;
    case 'zeebe:taskDefinition':
      return binding.property ? str(extension(element, 'zeebe:TaskDefinition')?.[binding.property]) : UNREADABLE;
    case 'zeebe:taskHeader':
      return str(list(extension(element, 'zeebe:TaskHeaders')?.values).find((header) => header.key === binding.key)?.value);
    case 'zeebe:input':
      return str(list(extension(element, 'zeebe:IoMapping')?.inputParameters).find((input) => input.target === binding.name)?.source);
    case 'zeebe:output':
      return str(list(extension(element, 'zeebe:IoMapping')?.outputParameters).find((output) => output.source === binding.source)?.target);
    case 'zeebe:property':
      return str(list(extension(element, 'zeebe:Properties')?.properties).find((p) => p.name === binding.name)?.value);
    case 'zeebe:userTask':
      return extension(element, 'zeebe:UserTask') ? PRESENT : undefined;
    default: {
      const holder = EXTENSION_BINDINGS[binding.type];
      if (!holder || !binding.property) return UNREADABLE;
      return str(extension(element, holder)?.[binding.property]);
    }
  }
}

/** bindings of the form { type, property } onto one extension element */
const EXTENSION_BINDINGS: Record<string, string> = {
  'zeebe:formDefinition': 'zeebe:FormDefinition',
  'zeebe:assignmentDefinition': 'zeebe:AssignmentDefinition',
  'zeebe:taskSchedule': 'zeebe:TaskSchedule',
  'zeebe:priorityDefinition': 'zeebe:PriorityDefinition',
  'zeebe:calledElement': 'zeebe:CalledElement',
  'zeebe:calledDecision': 'zeebe:CalledDecision',
  'zeebe:script': 'zeebe:Script',
};

/** [zh-CN] name of what a property fixes */
function describe(property: ElementTemplateProperty): string {
  const { binding } = property;
  if (isTaskType(binding)) return '任务类型 (zeebe:taskDefinition type) ';
  if (binding.type === 'zeebe:taskDefinition' && binding.property === 'retries') return '重试次数 (retries) ';
  if (binding.type === 'zeebe:userTask') return '<zeebe:userTask/> ';
  const label = property.label ? `「${property.label}」` : '';
  return `${label}(${binding.type} ${binding.property ?? binding.key ?? binding.name ?? binding.source ?? ''}) `;
}

function mismatch(element: ModdleElement, zh: string, en: string): LintFinding {
  return { id: element.id ?? '', rule: ELEMENT_TEMPLATE_MISMATCH, category: 'error', message: `${zh} — ${en}` };
}

function flowElements(container: ModdleElement): ModdleElement[] {
  return list(container.flowElements).flatMap((element) => [element, ...(element.$type === 'bpmn:SubProcess' ? flowElements(element) : [])]);
}

function extension(element: ModdleElement, type: string): ModdleElement | undefined {
  const extensionElements = element.extensionElements as ModdleElement | undefined;
  return list(extensionElements?.values).find((value) => value.$type === type);
}

function list(value: unknown): ModdleElement[] {
  return Array.isArray(value) ? (value as ModdleElement[]) : [];
}

function str(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

/**
 * Lints Zeebe-dialect BPMN with bpmnlint and bpmnlint-plugin-camunda-compat, the same rules the
 * Camunda Modeler shows, so what passes here deploys to Zeebe of the version we target.
 *
 * - The XML is read with bpmn-moddle plus the zeebe-bpmn-moddle extension; without it every
 *   `zeebe:*` extension is unknown and correct diagrams get false errors.
 * - A new bpmnlint `Linter` is built for every lint: the Linter caches rule instances, and some rules
 *   keep state in their closure (`no-duplicate-sequence-flows` remembers every flow it saw), so a
 *   reused linter reports every flow of the second diagram as a duplicate.
 * - camunda-compat does not read `modeler:executionPlatformVersion` itself (the Modeler's
 *   `@camunda/linting` does that); we extend the config `camunda-cloud-<major>-<minor>` of the
 *   version we deploy to (default 8.6) and report a diagram that declares another platform or a
 *   newer version, because the engine we deploy to decides what runs, not the declaration.
 */
import { createRequire } from 'node:module';

export type LintCategory = 'error' | 'warn';

export interface LintFinding {
  /** id of the element the finding is about; the definitions' id or '' for document-level findings */
  id: string;
  /** bpmnlint rule name (`no-disconnected`, `camunda-compat/timer`) or one of ours (`xml-parse`, …) */
  rule: string;
  message: string;
  category: LintCategory;
}

export interface LintOptions {
  /** Zeebe version we deploy to, `8.6` or `8.6.0`; picks the camunda-compat config */
  executionPlatformVersion?: string;
}

/**
 * A node of the tree bpmn-moddle reads, with the properties our checks use. bpmn-moddle's generated
 * types (`bpmn-moddle/types`) describe each element type but cannot be narrowed by `$type`.
 */
export interface ModdleElement {
  $type: string;
  $attrs?: Record<string, string>;
  $parent?: ModdleElement;
  id?: string;
  name?: string;
  [property: string]: unknown;
}

export interface ParsedBpmn {
  /** the `bpmn:Definitions` root, absent when the XML could not be read */
  definitions?: ModdleElement;
  /** `xml-parse` findings: the reader's error, or its warnings (unresolved references, unknown elements) */
  findings: LintFinding[];
}

export const DEFAULT_EXECUTION_PLATFORM_VERSION = '8.6';
export const EXECUTION_PLATFORM = 'Camunda Cloud';

const CAMUNDA_COMPAT = 'bpmnlint-plugin-camunda-compat';

/**
 * bpmnlint's recommended rules, with these changes (camunda-compat's config is added on top):
 * - `label-required` warn: an unnamed element still runs, but inboxes and history show names;
 * - `no-inclusive-gateway` off: Zeebe ≥ 8.6 (camunda-compat dropped its `inclusive-gateway` rule)
 *   and the embedded engine run inclusive gateways;
 * - `conditional-event` error (from bpmnlint:correctness): a conditional event without condition.
 * Kept as recommended: no-disconnected, start-event-required, end-event-required, no-implicit-start,
 * no-implicit-end, no-implicit-split (a task with two unconditioned flows forks silently),
 * no-gateway-join-fork, fake-join (warn: a task with two incoming flows runs twice), no-bpmndi
 * (replay draws the diagram, so every element needs its shape), no-complex-gateway, link-event,
 * single-blank-start-event, single-event-definition, superfluous-* (warn), global (warn).
 */
const BPMNLINT_RULE_OVERRIDES = {
  'label-required': 'warn',
  'no-inclusive-gateway': 'off',
  'conditional-event': 'error',
} as const;

// bpmnlint and the plugin are CommonJS without type declarations; `zeebe.json` is data.
const require = createRequire(import.meta.url);

interface BpmnlintReport {
  id?: string;
  message: string;
  category: 'error' | 'warn' | 'info' | 'rule-error';
}

interface BpmnlintLinter {
  lint(root: ModdleElement): Promise<Record<string, BpmnlintReport[]>>;
}

type BpmnlintLinterConstructor = new (options: {
  config: { extends: string[]; rules: Record<string, string> };
  resolver: { resolveRule(pkg: string, name: string): unknown; resolveConfig(pkg: string, name: string): unknown };
}) => BpmnlintLinter;

interface CamundaCompatPlugin {
  configs: Record<string, unknown>;
  rules: Record<string, string>;
}

interface ParseWarning {
  message: string;
  element?: ModdleElement;
}

interface BpmnModdleInstance {
  fromXML(xml: string): Promise<{ rootElement: ModdleElement; warnings: ParseWarning[] }>;
}

type BpmnModdleFactory = (packages: Record<string, unknown>) => BpmnModdleInstance;

const { Linter } = require('bpmnlint') as { Linter: BpmnlintLinterConstructor };
const camundaCompat = require(CAMUNDA_COMPAT) as CamundaCompatPlugin;
const zeebeModdleSchema = require('zeebe-bpmn-moddle/resources/zeebe.json') as unknown;

/**
 * Resolves rules and configs from bpmnlint and camunda-compat only, relative to this file (bpmnlint's
 * NodeResolver resolves relative to the process' working directory).
 */
const resolver = {
  resolveRule(pkg: string, ruleName: string): unknown {
    if (pkg === 'bpmnlint') return require(`bpmnlint/rules/${ruleName}`);
    if (pkg === CAMUNDA_COMPAT) {
      const path = camundaCompat.rules[ruleName];
      if (!path) throw new Error(`unknown rule <${pkg}/${ruleName}>`);
      return require(path.startsWith('.') ? `${CAMUNDA_COMPAT}/${path.slice(2)}` : path);
    }
    throw new Error(`unknown rule package <${pkg}>`);
  },
  resolveConfig(pkg: string, configName: string): unknown {
    if (pkg === 'bpmnlint') return require(`bpmnlint/config/${configName}`);
    if (pkg === CAMUNDA_COMPAT) {
      const config = camundaCompat.configs[configName];
      if (!config) throw new Error(`unknown config <${pkg}/${configName}>`);
      return config;
    }
    throw new Error(`unknown config package <${pkg}>`);
  },
};

// bpmn-moddle 10 declares types for `bpmn-moddle/types` but none for its entry point, so a static
// import fails type-checking; a non-literal specifier loads it untyped and we type the one call we use.
const BPMN_MODDLE_MODULE: string = 'bpmn-moddle';
let moddleFactory: Promise<BpmnModdleFactory> | undefined;

async function createModdle(): Promise<BpmnModdleInstance> {
  moddleFactory ??= import(BPMN_MODDLE_MODULE).then((module) => (module as { BpmnModdle: BpmnModdleFactory }).BpmnModdle);
  const BpmnModdle = await moddleFactory;
  return BpmnModdle({ zeebe: zeebeModdleSchema });
}

/** `8.6.0` → `camunda-cloud-8-6`; throws for a version camunda-compat has no config for. */
export function camundaCompatConfigName(version: string): string {
  const match = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  const name = match ? `camunda-cloud-${match[1]}-${match[2]}` : undefined;
  if (!name || !(name in camundaCompat.configs)) {
    const known = Object.keys(camundaCompat.configs).filter((config) => config.startsWith('camunda-cloud-'));
    throw new Error(`no camunda-compat config for Zeebe version "${version}"; known: ${known.join(', ')}`);
  }
  return name;
}

/**
 * The bpmnlint config we lint with, as a `.bpmnlintrc` would hold it, so the browser modeler can
 * show the same findings.
 */
export function bpmnlintConfig(version: string = DEFAULT_EXECUTION_PLATFORM_VERSION): { extends: string[]; rules: Record<string, string> } {
  return {
    extends: ['bpmnlint:recommended', `plugin:camunda-compat/${camundaCompatConfigName(version)}`],
    rules: { ...BPMNLINT_RULE_OVERRIDES },
  };
}

/** Reads BPMN XML with the Zeebe extension. Never throws for bad input: problems become findings. */
export async function parseBpmn(xml: string): Promise<ParsedBpmn> {
  const moddle = await createModdle();
  try {
    const { rootElement, warnings } = await moddle.fromXML(xml);
    const findings = warnings.map((warning): LintFinding => ({
      id: nearestId(warning.element),
      rule: 'xml-parse',
      message: readerMessage(warning.message),
      // an unknown attribute is kept aside and harms nothing; an unknown element or an unresolved
      // reference is dropped from the tree the engine runs, so the diagram is not what it shows
      category: warning.message.startsWith('unknown attribute') ? 'warn' : 'error',
    }));
    if (rootElement?.$type !== 'bpmn:Definitions') {
      return { findings: [...findings, { id: '', rule: 'xml-parse', message: 'root element is not <bpmn:definitions>', category: 'error' }] };
    }
    return { definitions: rootElement, findings };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { findings: [{ id: '', rule: 'xml-parse', message: readerMessage(message), category: 'error' }] };
  }
}

/** Lints a parsed diagram: bpmnlint recommended + camunda-compat for the target Zeebe version. */
export async function lintDefinitions(definitions: ModdleElement, opts: LintOptions = {}): Promise<LintFinding[]> {
  const targetVersion = opts.executionPlatformVersion ?? DEFAULT_EXECUTION_PLATFORM_VERSION;
  const config = bpmnlintConfig(targetVersion);
  // a new Linter per lint: a reused one reports false duplicates (see the file comment)
  const linter = new Linter({ config, resolver });
  const results = await linter.lint(definitions);

  const findings: LintFinding[] = [];
  for (const [rule, reports] of Object.entries(results)) {
    for (const report of reports) {
      findings.push({
        id: report.id ?? '',
        rule,
        message: report.message,
        category: report.category === 'warn' || report.category === 'info' ? 'warn' : 'error',
      });
    }
  }
  return [...checkExecutionPlatform(definitions, targetVersion), ...unique(findings)];
}

/** Parses and lints BPMN XML. Unreadable XML gives `xml-parse` findings instead of a rejection. */
export async function lintBpmn(xml: string, opts: LintOptions = {}): Promise<LintFinding[]> {
  const { definitions, findings } = await parseBpmn(xml);
  if (!definitions) return findings;
  return [...findings, ...(await lintDefinitions(definitions, opts))];
}

/** The findings that block a deployment. */
export function lintErrors(findings: readonly LintFinding[]): LintFinding[] {
  return findings.filter((finding) => finding.category === 'error');
}

/**
 * The diagram's `modeler:executionPlatform` / `modeler:executionPlatformVersion` against the version
 * we lint for: another platform is an error (Camunda 7 XML is another dialect), a missing or newer
 * declaration a warning (the Modeler would have offered features our Zeebe lacks).
 */
function checkExecutionPlatform(definitions: ModdleElement, targetVersion: string): LintFinding[] {
  const attrs = definitions.$attrs ?? {};
  const platform = attrs['modeler:executionPlatform'];
  const declaredVersion = attrs['modeler:executionPlatformVersion'];
  const id = definitions.id ?? '';
  const rule = 'execution-platform';

  if (platform === undefined) {
    return [{ id, rule, category: 'warn', message: `diagram declares no modeler:executionPlatform; linted for ${EXECUTION_PLATFORM} ${targetVersion}` }];
  }
  if (platform !== EXECUTION_PLATFORM) {
    return [{ id, rule, category: 'error', message: `diagram is modelled for "${platform}", not "${EXECUTION_PLATFORM}" (Zeebe ${targetVersion})` }];
  }
  if (declaredVersion !== undefined && compareVersions(declaredVersion, targetVersion) > 0) {
    return [{
      id,
      rule,
      category: 'warn',
      message: `diagram is modelled for ${EXECUTION_PLATFORM} ${declaredVersion}, newer than the ${targetVersion} we run; linted for ${targetVersion}`,
    }];
  }
  return [];
}

/** Compares major.minor only (patch releases do not change what a diagram may contain). */
function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

function unique(findings: LintFinding[]): LintFinding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${finding.rule}\u0000${finding.id}\u0000${finding.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * moddle-xml writes `unparsable content <x> detected\n\tline: 14\n\tcolumn: 8\n\tnested error: …` with
 * 0-based positions; one line with 1-based positions reads better in a 422 response.
 */
function readerMessage(message: string): string {
  const [first = message, ...details] = message.split('\n').map((line) => line.trim());
  const detail = (key: string) => details.find((line) => line.startsWith(`${key}: `))?.slice(key.length + 2);
  const line = detail('line');
  const column = detail('column');
  const nested = detail('nested error');
  const position = line !== undefined && column !== undefined ? `line ${Number(line) + 1}, column ${Number(column) + 1}` : undefined;
  const suffix = [position, nested].filter(Boolean).join(': ');
  return suffix ? `${first} (${suffix})` : first;
}

/** The id of the element or of its nearest ancestor with one (extension elements have none). */
function nearestId(element: ModdleElement | undefined): string {
  for (let current = element; current; current = current.$parent) {
    if (typeof current.id === 'string' && current.id !== '') return current.id;
  }
  return '';
}

/**
 * The one configuration schema. Every setting is read from the environment here, once, at start;
 * nothing else in the code base reads `process.env` (main.ts and migrate-cli.ts pass it in).
 *
 * To add a setting: add one entry to `configSchema`; the `Config` type follows from it.
 */
import { passwordProblems } from './auth-password-policy';

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

type SettingType = 'string' | 'int' | 'bool' | 'enum' | 'url' | 'secret';

/** What the parser has produced so far; derived defaults may look at settings listed before them. */
type ParsedSoFar = Readonly<Record<string, unknown>>;

interface SettingBase {
  /** Environment variable name. */
  readonly name: string;
  /** Property name on Config. */
  readonly key: string;
  readonly type: SettingType;
  readonly doc: string;
  /** Human-readable default for docs when `default` is computed. */
  readonly defaultDoc?: string;
  /** Required and without default: the start fails when it is missing (see `requiredWhen`). */
  readonly optional?: boolean;
}

interface IntSetting extends SettingBase {
  readonly type: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}
interface BoolSetting extends SettingBase {
  readonly type: 'bool';
  readonly default: boolean | ((parsed: ParsedSoFar) => boolean);
}
interface EnumSetting extends SettingBase {
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly default: string;
}
interface StringSetting extends SettingBase {
  readonly type: 'string' | 'url' | 'secret';
  readonly default?: string | ((parsed: ParsedSoFar) => string | undefined);
  /** For 'url': accepted schemes, e.g. ['postgres:', 'postgresql:']. */
  readonly protocols?: readonly string[];
  /** For 'url': an example shown when the value is invalid (default: a postgres URL). */
  readonly example?: string;
  /** For 'secret': minimum length. */
  readonly minLength?: number;
  /** For 'string': the value must match this; `patternDoc` says what is expected. */
  readonly pattern?: RegExp;
  readonly patternDoc?: string;
  /** A missing value is an error when this returns a reason (a string). */
  readonly requiredWhen?: (parsed: ParsedSoFar) => string | undefined;
}

export type Setting = IntSetting | BoolSetting | EnumSetting | StringSetting;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** requiredWhen of a credential that the Zeebe cluster's CAMUNDA_AUTH_STRATEGY `strategy` needs. */
const requiredForAuthStrategy = (strategy: 'OAUTH' | 'BASIC') => (p: ParsedSoFar) =>
  p.engine === 'zeebe' && p.camundaAuthStrategy === strategy ? `ENGINE=zeebe and CAMUNDA_AUTH_STRATEGY=${strategy}` : undefined;

/** Demo-only stand-in for DOCUMENT_SIGNING_SECRET; refused outside demo mode. */
export const DEMO_DOCUMENT_SIGNING_SECRET = 'demo-only-document-signing-secret-not-for-production';

export const configSchema = [
  {
    name: 'PORT', key: 'port', type: 'int', default: 3000, min: 1, max: 65535,
    doc: 'HTTP port the API and web pages listen on.',
  },
  {
    name: 'DATABASE_URL', key: 'databaseUrl', type: 'url', optional: true,
    protocols: ['postgres:', 'postgresql:'],
    doc: 'PostgreSQL connection URL. Without it the service uses PGlite (embedded PostgreSQL) in DATA_DIR.',
  },
  {
    name: 'DB_POOL_MAX', key: 'dbPoolMax', type: 'int', default: 10, min: 1, max: 200,
    doc: 'Largest number of PostgreSQL connections per process (PGlite always uses one).',
  },
  {
    name: 'DATA_DIR', key: 'dataDir', type: 'string', default: './data',
    doc: 'Directory for PGlite data and the lock file that keeps a second process out.',
  },
  {
    name: 'ENGINE', key: 'engine', type: 'enum', values: ['embedded', 'zeebe'], default: 'embedded',
    doc: 'Process engine: the embedded Zeebe-dialect engine, or a Zeebe cluster.',
  },
  {
    name: 'ZEEBE_ADDRESS', key: 'zeebeAddress', type: 'string', optional: true,
    requiredWhen: (p) => (p.engine === 'zeebe' ? 'ENGINE=zeebe' : undefined),
    doc: 'Zeebe gateway address (host:port); required when ENGINE=zeebe.',
  },
  {
    name: 'ZEEBE_REST_ADDRESS', key: 'zeebeRestAddress', type: 'url', optional: true,
    protocols: ['http:', 'https:'], example: 'http://localhost:8080',
    requiredWhen: (p) => (p.engine === 'zeebe' ? 'ENGINE=zeebe (user tasks go through the REST v2 API)' : undefined),
    doc: 'Camunda 8 REST API base URL, without /v2 (user-task search, assignment, completion); required when ENGINE=zeebe.',
  },
  {
    name: 'CAMUNDA_AUTH_STRATEGY', key: 'camundaAuthStrategy', type: 'enum', values: ['NONE', 'OAUTH', 'BASIC'], default: 'NONE',
    doc: 'How the Camunda SDK authenticates to the cluster: NONE (local cluster without identity), OAUTH (client credentials), BASIC.',
  },
  {
    name: 'CAMUNDA_SECURE_CONNECTION', key: 'camundaSecureConnection', type: 'bool',
    default: (p) => p.camundaAuthStrategy !== 'NONE',
    defaultDoc: 'false when CAMUNDA_AUTH_STRATEGY=NONE, else true',
    doc: 'TLS for the gRPC connection to ZEEBE_ADDRESS (credentials are never sent in plain text by default).',
  },
  {
    name: 'ZEEBE_CLIENT_ID', key: 'zeebeClientId', type: 'string', optional: true,
    requiredWhen: requiredForAuthStrategy('OAUTH'),
    doc: 'OAuth client id of the service account (CAMUNDA_AUTH_STRATEGY=OAUTH).',
  },
  {
    name: 'ZEEBE_CLIENT_SECRET', key: 'zeebeClientSecret', type: 'secret', optional: true,
    requiredWhen: requiredForAuthStrategy('OAUTH'),
    doc: 'OAuth client secret of the service account (CAMUNDA_AUTH_STRATEGY=OAUTH).',
  },
  {
    name: 'CAMUNDA_OAUTH_URL', key: 'camundaOauthUrl', type: 'url', optional: true,
    protocols: ['http:', 'https:'], example: 'https://login.cloud.camunda.io/oauth/token',
    requiredWhen: requiredForAuthStrategy('OAUTH'),
    doc: 'OAuth token endpoint (CAMUNDA_AUTH_STRATEGY=OAUTH).',
  },
  {
    name: 'ZEEBE_TOKEN_AUDIENCE', key: 'zeebeTokenAudience', type: 'string', default: 'zeebe.camunda.io',
    doc: 'Audience of the OAuth token (Self-Managed Identity usually expects zeebe-api).',
  },
  {
    name: 'CAMUNDA_BASIC_AUTH_USERNAME', key: 'camundaBasicAuthUsername', type: 'string', optional: true,
    requiredWhen: requiredForAuthStrategy('BASIC'),
    doc: 'User name for CAMUNDA_AUTH_STRATEGY=BASIC.',
  },
  {
    name: 'CAMUNDA_BASIC_AUTH_PASSWORD', key: 'camundaBasicAuthPassword', type: 'secret', optional: true,
    requiredWhen: requiredForAuthStrategy('BASIC'),
    doc: 'Password for CAMUNDA_AUTH_STRATEGY=BASIC.',
  },
  {
    name: 'ZEEBE_TASK_POLL_INTERVAL_MS', key: 'zeebeTaskPollIntervalMs', type: 'int', default: 1000, min: 50, max: 60000,
    doc: 'ENGINE=zeebe: how often the Camunda user tasks are read (REST v2 search) into the inbox.',
  },
  {
    name: 'DEMO', key: 'demo', type: 'bool',
    default: (p) => p.databaseUrl === undefined,
    defaultDoc: 'true without DATABASE_URL, else false',
    doc: 'Demo mode: seeds a demo district and demo users (password "demo"). DEMO=1 forces it on, DEMO=0 off.',
  },
  {
    name: 'DEMO_PERSONS', key: 'demoPersons', type: 'int', default: 2000, min: 0, max: 2_000_000,
    doc: '演示模式下在六个示例单位之后生成的区的在编人数（单位 U007 起，约每 50 人一个单位，至少 40 个；0 = 只有六个示例单位，否则至少 240）/ '
      + 'Demo mode: persons 在编 of the generated district added after the six named units (units U007…, about one per 50 persons, at least 40; 0 = the six named units only, else at least 240).',
  },
  {
    name: 'DOCUMENT_SIGNING_SECRET', key: 'documentSigningSecret', type: 'secret', minLength: 32,
    default: (p) => (p.demo === true ? DEMO_DOCUMENT_SIGNING_SECRET : undefined),
    defaultDoc: 'a fixed demo value in demo mode; required otherwise',
    requiredWhen: (p) => (p.demo === true ? undefined : 'demo mode is off'),
    doc: 'Secret that signs generated documents for QR verification (at least 32 characters).',
  },
  {
    name: 'DISTRICT_CODE', key: 'districtCode', type: 'string',
    default: (p) => (p.demo === true ? '370612' : undefined),
    defaultDoc: '370612 in demo mode; required otherwise',
    requiredWhen: (p) => (p.demo === true ? undefined : 'demo mode is off'),
    pattern: /^[A-Z0-9]{2,12}$/, patternDoc: '2 to 12 uppercase letters or digits, e.g. the 6-digit 行政区划代码 370612',
    doc: 'District code, the first part of every document number ({district}-{type}-{yyyy}-{seq}).',
  },
  {
    name: 'DISTRICT_NAME', key: 'districtName', type: 'string', default: '示范区',
    doc: 'District name printed on generated documents before the issuing office (签发单位), e.g. 牟平区.',
  },
  {
    name: 'PUBLIC_BASE_URL', key: 'publicBaseUrl', type: 'url',
    protocols: ['http:', 'https:'], example: 'https://bianzhi.example.gov.cn',
    default: (p) => `http://localhost:${String(p.port ?? 3000)}`,
    defaultDoc: 'http://localhost:<PORT>',
    doc: 'Base URL the public reaches this server at; the QR code on every document points to <PUBLIC_BASE_URL>/verify/<number>.',
  },
  {
    name: 'BOOTSTRAP_ADMIN_PASSWORD', key: 'bootstrapAdminPassword', type: 'secret', optional: true, minLength: 12,
    doc: 'When set and no user exists yet, an "admin" user with this password is created at start.',
  },
  {
    name: 'TOKEN_TTL_SECONDS', key: 'tokenTtlSeconds', type: 'int', default: 28800, min: 60, max: 30 * 24 * 3600,
    doc: 'Lifetime of a session token.',
  },
  {
    name: 'PASSWORD_HASH_COST', key: 'passwordHashCost', type: 'int', default: 15, min: 10, max: 20,
    doc: 'scrypt cost for new password hashes, as log2(N); stored hashes keep the cost they were made with.',
  },
  {
    name: 'LOGIN_MAX_FAILURES', key: 'loginMaxFailures', type: 'int', default: 5, min: 1, max: 1000,
    doc: 'Failed logins for one username within LOGIN_FAILURE_WINDOW_SECONDS before further attempts get 429.',
  },
  {
    name: 'LOGIN_FAILURE_WINDOW_SECONDS', key: 'loginFailureWindowSeconds', type: 'int', default: 900, min: 1, max: 86400,
    doc: 'Window in which failed logins are counted.',
  },
  {
    name: 'LOG_LEVEL', key: 'logLevel', type: 'enum', values: LOG_LEVELS, default: 'info',
    doc: 'pino log level.',
  },
  {
    name: 'JOB_POLL_INTERVAL_MS', key: 'jobPollIntervalMs', type: 'int', default: 200, min: 10, max: 60000,
    doc: 'How often the embedded engine looks for runnable jobs.',
  },
  {
    name: 'TIMER_POLL_INTERVAL_MS', key: 'timerPollIntervalMs', type: 'int', default: 500, min: 10, max: 60000,
    doc: 'How often the embedded engine looks for due timers.',
  },
  {
    name: 'SHUTDOWN_TIMEOUT_MS', key: 'shutdownTimeoutMs', type: 'int', default: 10000, min: 0, max: 600000,
    doc: 'On SIGTERM/SIGINT, how long in-flight requests may take before connections are cut.',
  },
] as const satisfies readonly Setting[];

type Schema = typeof configSchema;
type SchemaEntry = Schema[number];

type ValueOf<S> = S extends { type: 'int' }
  ? number
  : S extends { type: 'bool' }
    ? boolean
    : S extends { type: 'enum'; values: readonly (infer V)[] }
      ? V
      : S extends { optional: true }
        ? string | undefined
        : string;

/** The parsed configuration: one readonly property per schema entry. */
export type Config = { readonly [S in SchemaEntry as S['key']]: ValueOf<S> };

export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Reads, checks and converts every setting. Throws a ConfigError on the first problem.
 * With `keys`, only those settings are read (tools such as the migration CLI need the database
 * settings, not the server's secrets).
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config;
export function loadConfig<K extends keyof Config>(env: NodeJS.ProcessEnv, keys: readonly K[]): Pick<Config, K>;
export function loadConfig(env: NodeJS.ProcessEnv, keys?: readonly string[]): Partial<Config> {
  const parsed: Record<string, unknown> = {};
  for (const setting of configSchema as readonly Setting[]) {
    if (keys && !keys.includes(setting.key)) continue;
    parsed[setting.key] = parseSetting(setting, env[setting.name], parsed);
  }
  // the first administrator is created under the password policy: say so now, not at the first start
  const adminPassword = parsed.bootstrapAdminPassword;
  if (typeof adminPassword === 'string') {
    const problems = passwordProblems(adminPassword, 'admin');
    if (problems.length) {
      throw new ConfigError('BOOTSTRAP_ADMIN_PASSWORD', `BOOTSTRAP_ADMIN_PASSWORD 不符合密码规则：${problems.map((p) => p.message).join('；')}`);
    }
  }
  return Object.freeze(parsed) as Partial<Config>;
}

function parseSetting(setting: Setting, raw: string | undefined, parsed: ParsedSoFar): unknown {
  const value = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  switch (setting.type) {
    case 'int':
      return value === undefined ? setting.default : parseInteger(setting, value);
    case 'bool':
      if (value !== undefined) return parseBoolean(setting, value);
      return typeof setting.default === 'function' ? setting.default(parsed) : setting.default;
    case 'enum':
      if (value === undefined) return setting.default;
      if (!setting.values.includes(value)) {
        throw invalid(setting, value, `one of ${setting.values.join(', ')}`);
      }
      return value;
    case 'string':
    case 'url':
    case 'secret': {
      const resolved = value ?? (typeof setting.default === 'function' ? setting.default(parsed) : setting.default);
      if (resolved === undefined) {
        const reason = setting.requiredWhen?.(parsed);
        if (reason !== undefined || (setting.optional !== true && setting.requiredWhen === undefined)) {
          throw new ConfigError(
            setting.name,
            `${setting.name} 未设置，当前配置下必须设置 / ${setting.name} is required` +
              `${reason ? ` when ${reason}` : ''}: ${setting.doc}`,
          );
        }
        return undefined;
      }
      if (setting.type === 'url') checkUrl(setting, resolved);
      if (setting.pattern !== undefined && !setting.pattern.test(resolved)) throw invalid(setting, resolved, setting.patternDoc ?? `a value matching ${String(setting.pattern)}`);
      if (setting.type === 'secret') checkSecret(setting, resolved, parsed);
      return resolved;
    }
  }
}

function parseInteger(setting: IntSetting, value: string): number {
  if (!/^-?\d+$/.test(value)) throw invalid(setting, value, `an integer from ${setting.min} to ${setting.max}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < setting.min || n > setting.max) {
    throw invalid(setting, value, `an integer from ${setting.min} to ${setting.max}`);
  }
  return n;
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

function parseBoolean(setting: BoolSetting, value: string): boolean {
  const word = value.toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw invalid(setting, value, `a boolean (${TRUE_WORDS.join('/')} or ${FALSE_WORDS.join('/')})`);
}

function checkUrl(setting: StringSetting, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(setting, redactUrl(value), `a URL such as ${setting.example ?? 'postgres://user:password@host:5432/db'}`);
  }
  if (setting.protocols && !setting.protocols.includes(url.protocol)) {
    throw invalid(setting, redactUrl(value), `a URL starting with ${setting.protocols.map((p) => `${p}//`).join(' or ')}`);
  }
}

function checkSecret(setting: StringSetting, value: string, parsed: ParsedSoFar): void {
  if (setting.minLength !== undefined && value.length < setting.minLength) {
    throw invalid(setting, '(hidden)', `a secret of at least ${setting.minLength} characters (got ${value.length})`);
  }
  if (value === DEMO_DOCUMENT_SIGNING_SECRET && parsed.demo !== true) {
    throw invalid(setting, '(hidden)', 'a secret of your own: the demo value is refused outside demo mode');
  }
}

function invalid(setting: Setting, shown: string, expected: string): ConfigError {
  return new ConfigError(
    setting.name,
    `配置项 ${setting.name} 的值无效：${JSON.stringify(shown)}，应为 ${expected} / ` +
      `invalid ${setting.name}=${JSON.stringify(shown)}: expected ${expected}`,
  );
}

/** Hides the password of a connection URL, for messages and logs. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

export interface SettingDoc {
  name: string;
  type: string;
  default: string;
  doc: string;
}

/** The schema as rows for README/docs tables. */
export function describeConfigSchema(): SettingDoc[] {
  return (configSchema as readonly Setting[]).map((s) => ({
    name: s.name,
    type: s.type === 'enum' ? s.values.join(' | ') : s.type,
    default:
      s.defaultDoc ??
      ('default' in s && s.default !== undefined && typeof s.default !== 'function' ? String(s.default) : '(none)'),
    doc: s.doc,
  }));
}

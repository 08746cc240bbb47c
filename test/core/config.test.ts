import assert from 'node:assert/strict';
import { ConfigError, DEMO_DOCUMENT_SIGNING_SECRET, configSchema, describeConfigSchema, loadConfig } from '../../server/core/config';

const SECRET = 'x'.repeat(40);

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loadConfig to throw');
}

describe('config', () => {
  it('gives the documented defaults for an empty environment (demo mode, PGlite)', () => {
    // given an empty environment
    // when it is loaded
    const config = loadConfig({});
    // then every default applies, and demo mode is on because there is no DATABASE_URL
    assert.equal(config.port, 3000);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.dataDir, './data');
    assert.equal(config.engine, 'embedded');
    assert.equal(config.demo, true);
    assert.equal(config.tokenTtlSeconds, 28800);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.jobPollIntervalMs, 200);
    assert.equal(config.timerPollIntervalMs, 500);
    assert.equal(config.documentSigningSecret, DEMO_DOCUMENT_SIGNING_SECRET);
    assert.equal(config.districtCode, '370612');
    assert.equal(config.districtName, '示范区');
    assert.equal(config.publicBaseUrl, 'http://localhost:3000');
  });

  it('turns demo mode off by default when DATABASE_URL is set, and DEMO=1 forces it on', () => {
    // given a database URL
    const url = 'postgres://app:pw@db.example:5432/bzf';
    // when loaded with and without DEMO=1
    const production = loadConfig({ DATABASE_URL: url, DOCUMENT_SIGNING_SECRET: SECRET, DISTRICT_CODE: '110105' });
    const demo = loadConfig({ DATABASE_URL: url, DEMO: '1' });
    // then
    assert.equal(production.demo, false);
    assert.equal(production.databaseUrl, url);
    assert.equal(demo.demo, true);
  });

  it('converts integers and booleans', () => {
    // given typed values as strings
    const config = loadConfig({ PORT: '8080', DEMO: 'false', TOKEN_TTL_SECONDS: '60', DOCUMENT_SIGNING_SECRET: SECRET, DISTRICT_CODE: '110105' });
    // then they arrive typed
    assert.equal(config.port, 8080);
    assert.equal(config.demo, false);
    assert.equal(config.tokenTtlSeconds, 60);
  });

  it('names the variable, the value and what is expected when a number is invalid', () => {
    // given a port that is not a number
    const error = configError({ PORT: 'eighty' });
    // then the message is actionable
    assert.equal(error.setting, 'PORT');
    assert.match(error.message, /PORT/);
    assert.match(error.message, /"eighty"/);
    assert.match(error.message, /integer from 1 to 65535/);
  });

  it('refuses a number outside its range', () => {
    assert.equal(configError({ PORT: '70000' }).setting, 'PORT');
    assert.equal(configError({ TOKEN_TTL_SECONDS: '5' }).setting, 'TOKEN_TTL_SECONDS');
  });

  it('lists the allowed values for an invalid enum', () => {
    const error = configError({ ENGINE: 'camunda7' });
    assert.match(error.message, /embedded, zeebe/);
  });

  it('refuses a boolean it cannot read', () => {
    assert.match(configError({ DEMO: 'maybe' }).message, /DEMO.*boolean/s);
  });

  it('refuses a DATABASE_URL that is not a postgres URL, without echoing its password', () => {
    // given a MySQL URL with a password
    const error = configError({ DATABASE_URL: 'mysql://root:hunter2@localhost/db' });
    // then the message names the expectation and hides the password
    assert.equal(error.setting, 'DATABASE_URL');
    assert.match(error.message, /postgres:\/\//);
    assert.doesNotMatch(error.message, /hunter2/);
  });

  it('requires a document signing secret outside demo mode (no default secrets)', () => {
    // given production mode without the secret
    const error = configError({ DATABASE_URL: 'postgres://localhost/db' });
    // then start is refused
    assert.equal(error.setting, 'DOCUMENT_SIGNING_SECRET');
    assert.match(error.message, /demo mode is off/);
  });

  it('refuses the demo signing secret outside demo mode', () => {
    const error = configError({ DEMO: '0', DOCUMENT_SIGNING_SECRET: DEMO_DOCUMENT_SIGNING_SECRET });
    assert.equal(error.setting, 'DOCUMENT_SIGNING_SECRET');
    assert.doesNotMatch(error.message, new RegExp(DEMO_DOCUMENT_SIGNING_SECRET));
  });

  it('requires DISTRICT_CODE outside demo mode, and accepts only 2–12 uppercase letters or digits', () => {
    // given production mode without a district code, and codes of the wrong shape
    const missing = configError({ DEMO: '0', DOCUMENT_SIGNING_SECRET: SECRET });
    const lowercase = configError({ DISTRICT_CODE: 'muping' });
    const tooLong = configError({ DISTRICT_CODE: '3706120000000' });
    // then the setting is named with what is expected, and a good code is taken as given
    assert.equal(missing.setting, 'DISTRICT_CODE');
    assert.match(missing.message, /demo mode is off/);
    assert.equal(lowercase.setting, 'DISTRICT_CODE');
    assert.match(lowercase.message, /"muping".*uppercase letters or digits/);
    assert.equal(tooLong.setting, 'DISTRICT_CODE');
    assert.equal(loadConfig({ DEMO: '0', DOCUMENT_SIGNING_SECRET: SECRET, DISTRICT_CODE: 'MP01' }).districtCode, 'MP01');
  });

  it('takes DISTRICT_NAME as given', () => {
    assert.equal(loadConfig({ DISTRICT_NAME: '牟平区' }).districtName, '牟平区');
  });

  it('derives PUBLIC_BASE_URL from PORT and refuses a URL that is not http(s)', () => {
    // given a port, an explicit base URL and a wrong scheme
    // then
    assert.equal(loadConfig({ PORT: '8080' }).publicBaseUrl, 'http://localhost:8080');
    assert.equal(loadConfig({ PUBLIC_BASE_URL: 'https://bianzhi.example.gov.cn/flow' }).publicBaseUrl, 'https://bianzhi.example.gov.cn/flow');
    const error = configError({ PUBLIC_BASE_URL: 'ftp://example.gov.cn' });
    assert.equal(error.setting, 'PUBLIC_BASE_URL');
    assert.match(error.message, /https?:\/\//);
    assert.equal(configError({ PUBLIC_BASE_URL: 'not a url' }).setting, 'PUBLIC_BASE_URL');
  });

  it('requires ZEEBE_ADDRESS and ZEEBE_REST_ADDRESS when ENGINE=zeebe', () => {
    // given ENGINE=zeebe without the gateway, then without the REST API
    const noGateway = configError({ ENGINE: 'zeebe' });
    const noRest = configError({ ENGINE: 'zeebe', ZEEBE_ADDRESS: 'localhost:26500' });
    // then each is named, with the reason
    assert.equal(noGateway.setting, 'ZEEBE_ADDRESS');
    assert.equal(noRest.setting, 'ZEEBE_REST_ADDRESS');
    assert.match(noRest.message, /ENGINE=zeebe/);
    const config = loadConfig({ ENGINE: 'zeebe', ZEEBE_ADDRESS: 'localhost:26500', ZEEBE_REST_ADDRESS: 'http://localhost:8080' });
    assert.equal(config.zeebeAddress, 'localhost:26500');
    assert.equal(config.zeebeRestAddress, 'http://localhost:8080');
  });

  it('defaults to CAMUNDA_AUTH_STRATEGY=NONE over plain gRPC, and needs nothing Camunda-related for the embedded engine', () => {
    // given a local cluster without identity, and the embedded engine
    const local = loadConfig({ ENGINE: 'zeebe', ZEEBE_ADDRESS: 'localhost:26500', ZEEBE_REST_ADDRESS: 'http://localhost:8080' });
    const embedded = loadConfig({});
    // then
    assert.equal(local.camundaAuthStrategy, 'NONE');
    assert.equal(local.camundaSecureConnection, false);
    assert.equal(local.zeebeTaskPollIntervalMs, 1000);
    assert.equal(embedded.zeebeClientId, undefined);
    assert.equal(embedded.zeebeRestAddress, undefined);
  });

  it('requires the client credentials and the token URL when CAMUNDA_AUTH_STRATEGY=OAUTH, and then uses TLS by default', () => {
    // given OAuth without credentials, then without the token URL
    const zeebe = { ENGINE: 'zeebe', ZEEBE_ADDRESS: 'cluster.example:443', ZEEBE_REST_ADDRESS: 'https://cluster.example', CAMUNDA_AUTH_STRATEGY: 'OAUTH' };
    assert.equal(configError(zeebe).setting, 'ZEEBE_CLIENT_ID');
    assert.equal(configError({ ...zeebe, ZEEBE_CLIENT_ID: 'bzf' }).setting, 'ZEEBE_CLIENT_SECRET');
    const noUrl = configError({ ...zeebe, ZEEBE_CLIENT_ID: 'bzf', ZEEBE_CLIENT_SECRET: 's3cret-value' });
    assert.equal(noUrl.setting, 'CAMUNDA_OAUTH_URL');
    assert.match(noUrl.message, /CAMUNDA_AUTH_STRATEGY=OAUTH/);
    // when complete
    const config = loadConfig({ ...zeebe, ZEEBE_CLIENT_ID: 'bzf', ZEEBE_CLIENT_SECRET: 's3cret-value', CAMUNDA_OAUTH_URL: 'https://login.example/oauth/token', ZEEBE_TOKEN_AUDIENCE: 'zeebe-api' });
    // then
    assert.equal(config.camundaSecureConnection, true);
    assert.equal(config.zeebeTokenAudience, 'zeebe-api');
    assert.equal(config.zeebeClientSecret, 's3cret-value');
  });

  it('requires the user and password when CAMUNDA_AUTH_STRATEGY=BASIC, and refuses an unknown strategy or a REST address that is not http(s)', () => {
    const zeebe = { ENGINE: 'zeebe', ZEEBE_ADDRESS: 'localhost:26500', ZEEBE_REST_ADDRESS: 'http://localhost:8080', CAMUNDA_AUTH_STRATEGY: 'BASIC' };
    assert.equal(configError(zeebe).setting, 'CAMUNDA_BASIC_AUTH_USERNAME');
    assert.equal(configError({ ...zeebe, CAMUNDA_BASIC_AUTH_USERNAME: 'demo' }).setting, 'CAMUNDA_BASIC_AUTH_PASSWORD');
    assert.match(configError({ ...zeebe, CAMUNDA_AUTH_STRATEGY: 'COOKIE' }).message, /NONE, OAUTH, BASIC/);
    const badUrl = configError({ ...zeebe, ZEEBE_REST_ADDRESS: 'grpc://localhost:26500' });
    assert.equal(badUrl.setting, 'ZEEBE_REST_ADDRESS');
    assert.equal(loadConfig({ ...zeebe, CAMUNDA_BASIC_AUTH_USERNAME: 'demo', CAMUNDA_BASIC_AUTH_PASSWORD: 'demo-pass' }).camundaBasicAuthPassword, 'demo-pass');
    assert.equal(describeConfigSchema().find((r) => r.name === 'ZEEBE_CLIENT_SECRET')?.type, 'secret');
  });

  it('refuses a BOOTSTRAP_ADMIN_PASSWORD the password policy would refuse at the first start', () => {
    // given a long password with no digit, and one that contains the username
    // when loaded
    const noDigit = configError({ BOOTSTRAP_ADMIN_PASSWORD: 'onlyletterslong' });
    const withName = configError({ BOOTSTRAP_ADMIN_PASSWORD: 'admin-password-2026' });
    // then the setting is named, with the rule in Chinese
    assert.equal(noDigit.setting, 'BOOTSTRAP_ADMIN_PASSWORD');
    assert.match(noDigit.message, /字母和数字/);
    assert.match(withName.message, /用户名/);
    assert.equal(loadConfig({ BOOTSTRAP_ADMIN_PASSWORD: 'Str0ng-first-key' }).bootstrapAdminPassword, 'Str0ng-first-key');
  });

  it('reads only the listed settings when given keys (tools need no server secrets)', () => {
    // given production mode without the signing secret
    const env = { DATABASE_URL: 'postgres://localhost/db', PORT: 'not-read' };
    // when only the database settings are asked for
    const config = loadConfig(env, ['databaseUrl', 'dataDir', 'dbPoolMax']);
    // then they load, and nothing else is read
    assert.deepEqual({ ...config }, { databaseUrl: 'postgres://localhost/db', dataDir: './data', dbPoolMax: 10 });
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    assert.ok(Object.isFrozen(config));
  });

  it('documents every setting with a name, type, default and description', () => {
    // when the schema is described for the README
    const rows = describeConfigSchema();
    // then there is one row per setting, each complete
    assert.equal(rows.length, configSchema.length);
    for (const row of rows) {
      assert.match(row.name, /^[A-Z][A-Z0-9_]+$/);
      assert.ok(row.type && row.default && row.doc.length > 10, `incomplete doc row for ${row.name}`);
    }
    assert.equal(rows.find((r) => r.name === 'DEMO')?.default, 'true without DATABASE_URL, else false');
  });
});

// A start by process id runs on the latest version. The engine keeps the latest version it read and
// starts on it without asking the database again; the start's statement checks that it still is the
// latest (step_guard), so a version deployed meanwhile — by this server or another — is never missed.
import { strict as assert } from 'node:assert';
import { createSilentLogger } from '../../server/core/logger';
import { EmbeddedEngine } from '../../server/engine/embedded/embedded-engine';
import { createEngineHarness, fixture, tester, type EngineHarness } from './harness';

describe('embedded engine: starts on the latest version', function () {
  let h: EngineHarness;
  let lookups: number;
  const countLookups = (query: { sql: string }) => {
    if (/^select \* from "process_definitions" where "process_id" = /.test(query.sql)) lookups++;
  };

  before(async () => {
    h = await createEngineHarness();
    await h.deploy('engine.service-task.bpmn');
    h.db.on('query', countLookups);
  });

  after(() => {
    h.db.off('query', countLookups);
  });

  beforeEach(() => {
    lookups = 0;
  });

  /** The fixture with another name: new content, so its deploy makes the next version. */
  const renamed = (name: string) => [{ name: 'engine.service-task.bpmn', content: fixture('engine.service-task.bpmn').replace(/(<bpmn:process id="engine-service-task" name=")[^"]*"/, `$1${name}"`) }];

  it('reads the latest version once, then starts on it without a lookup', async () => {
    const first = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 1 } }, tester);
    const second = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 2 } }, tester);
    assert.ok(lookups <= 1, `${lookups} lookups for two starts`);
    assert.equal(second.version, first.version);
  });

  it('starts on a version another server deployed since, and keeps starting on it', async () => {
    await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 1 } }, tester);
    // given another server deploys the next version
    const other = new EmbeddedEngine({ db: h.db, log: createSilentLogger(), timerPollIntervalMs: 60_000 });
    const deployed = await other.deploy(renamed(`另一台服务器 ${Date.now()}`), tester);
    const [{ version, deploymentId }] = deployed.processes;
    // when this server starts the process again
    const started = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 3 } }, tester);
    // then the instance is on the new version, and nothing of a start on the old one was written
    assert.equal(started.version, version);
    assert.equal((await h.instance(started.id)).definition_id, deploymentId);
    const created = await h.db('audit_events').where({ instance_id: started.id, kind: 'instance.created' });
    assert.equal(created.length, 1);
    assert.equal(created[0].payload.version, version);
    lookups = 0;
    const next = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 4 } }, tester);
    assert.equal(next.version, version);
    assert.equal(lookups, 0, 'the new version is the one kept now');
  });

  it('reads again when the version it last read cannot be started by id, and starts the next one that can', async () => {
    // given version 1 of a process that starts only by message, tried once by id (and refused)
    const processId = `engine-start-later-${Date.now()}`;
    const diagram = (start: string) =>
      fixture('engine.service-task.bpmn')
        .replaceAll('engine-service-task', processId)
        .replace('<bpmn:process ', '<bpmn:message id="Message_Go" name="go-later" />\n  <bpmn:process ')
        .replace('<bpmn:outgoing>Flow_1</bpmn:outgoing>\n    </bpmn:startEvent>', `<bpmn:outgoing>Flow_1</bpmn:outgoing>${start}\n    </bpmn:startEvent>`);
    await h.engine.deploy([{ name: `${processId}.bpmn`, content: diagram('<bpmn:messageEventDefinition messageRef="Message_Go" />') }], tester);
    await assert.rejects(h.engine.startInstance({ processKey: processId, variables: { amount: 1 } }, tester), (err: any) => err.status === 400);
    // when another server deploys version 2 with a none start event
    const other = new EmbeddedEngine({ db: h.db, log: createSilentLogger(), timerPollIntervalMs: 60_000 });
    const deployed = await other.deploy([{ name: `${processId}.bpmn`, content: diagram('') }], tester);
    // then a start by id here runs on it
    const started = await h.engine.startInstance({ processKey: processId, variables: { amount: 2 } }, tester);
    assert.equal(started.version, deployed.processes[0].version);
    assert.equal(started.version, 2);
  });

  it('starts on the version it deployed itself right after the deploy', async () => {
    await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 1 } }, tester);
    const deployed = await h.engine.deploy(renamed(`本服务器 ${Date.now()}`), tester);
    const started = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 5 } }, tester);
    assert.equal(started.version, deployed.processes[0].version);
  });
});

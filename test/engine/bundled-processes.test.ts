// The diagrams shipped in processes/ at start: deployed once; a restart deploys nothing again; a version
// policy staff deployed from the modeler is not overwritten by the shipped file at the next restart.
import { strict as assert } from 'node:assert';
import { createSilentLogger } from '../../server/core/logger';
import { deployBundledProcesses, readBundledResources } from '../../server/engine/bundled-processes';
import { EmbeddedEngine } from '../../server/engine/embedded/embedded-engine';
import { getTestDatabase, resetDatabase } from '../support/db';
import { tester } from './harness';

describe('bundled processes at start', () => {
  it('deploys each shipped file once, and never over a version deployed from the modeler', async () => {
    // given an empty database
    const { knex: db } = await getTestDatabase();
    await resetDatabase(db);
    const engine = new EmbeddedEngine({ db, log: createSilentLogger(), timerPollIntervalMs: 60_000 });
    const versions = async () => (await db('process_definitions').where({ process_id: 'staff-adjust-post' }).orderBy('version')).map((r) => r.version as number);
    // when the server starts twice
    await deployBundledProcesses(engine, db, createSilentLogger());
    const deployments = Number((await db('audit_events').where({ kind: 'deployment.created' }).count({ n: '*' }))[0]!.n);
    await deployBundledProcesses(engine, db, createSilentLogger());
    // then every process has one version and the second start recorded no deployment
    assert.deepEqual(await versions(), [1]);
    assert.equal(Number((await db('audit_events').where({ kind: 'deployment.created' }).count({ n: '*' }))[0]!.n), deployments);
    // when policy staff deploy an edited T2 and the server restarts
    const shipped = (await readBundledResources()).find((r) => r.name === 'staff-adjust-post.bpmn')!;
    const edited = shipped.content.replace('name="财政调整工资额"', 'name="财政调整工资额（经主管部门会签）"');
    assert.notEqual(edited, shipped.content);
    await engine.deploy([{ name: 'staff-adjust-post.bpmn', content: edited }], tester);
    await deployBundledProcesses(engine, db, createSilentLogger());
    // then the edited version stays the latest
    assert.deepEqual(await versions(), [1, 2]);
    const latest = await db('process_definitions').where({ process_id: 'staff-adjust-post' }).orderBy('version', 'desc').first();
    assert.match(latest.xml, /经主管部门会签/);
  });
});

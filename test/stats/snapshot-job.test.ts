// The periodic job takes the previous month's snapshot on its first run in a new month, once.
import assert from 'node:assert/strict';
import { createSilentLogger } from '../../server/core/logger';
import { createParameterStore } from '../../server/services/parameters';
import { startSnapshotJob } from '../../server/services/stats/index';
import { fakeClock } from '../support/clock';
import { getTestDatabase, resetDatabase } from '../support/db';
import { initialDistrict, writeDistrict } from './district';

describe('statistics: the month-end snapshot job', function () {
  this.timeout(60_000);

  it('takes the previous month on the first run in a new month and nothing on later runs', async () => {
    // given a district on 2026-12-01 (Asia/Shanghai) and no snapshot
    const knex = (await getTestDatabase()).knex;
    await resetDatabase(knex);
    await writeDistrict(knex, initialDistrict());
    const clock = fakeClock(new Date('2026-11-30T17:30:00Z'));
    const deps = { db: knex, parameters: createParameterStore(knex, clock.now), clock: clock.now, log: createSilentLogger() };
    // when the job runs twice
    const first = startSnapshotJob(deps);
    await first.stop();
    const second = startSnapshotJob(deps);
    await second.stop();
    // then one snapshot of 2026-11, taken by the system and audited
    const snapshots = await knex('snapshots').select('month', 'taken_by', 'status');
    assert.deepEqual(snapshots, [{ month: '2026-11', taken_by: 'system:stats-snapshots', status: 'complete' }]);
    assert.equal(Number((await knex('audit_events').where({ kind: 'stats.snapshot.taken' }).count('* as n').first())!.n), 1);
  });
});

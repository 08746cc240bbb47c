import type { Knex } from 'knex';

// Provisional snapshots of the current month (server/services/stats/snapshots.ts): the current month's reports
// read a snapshot taken on first request and refreshed while it is read (status 'provisional'), never the
// live tables. A provisional snapshot is never used for a past date and is deleted once superseded.
//   reference_date   the day its ages and windows are counted at (the take day); null for a month-end
//                    snapshot (its month's last day)
//   aggregated_at    when the per-snapshot aggregates (snapshot_structure_*) were filled: by the take, or
//                    on first read for a snapshot taken before they existed
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table snapshots drop constraint snapshots_status_valid`);
  await knex.raw(`alter table snapshots add constraint snapshots_status_valid check (status in ('complete', 'replaced', 'provisional'))`);
  await knex.schema.alterTable('snapshots', (t) => {
    t.date('reference_date').nullable();
    t.timestamp('aggregated_at', { useTz: true }).nullable();
  });
  await knex.raw(`create index snapshots_provisional_idx on snapshots (month, taken_at desc) where status = 'provisional'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index snapshots_provisional_idx');
  await knex('snapshots').where({ status: 'provisional' }).delete();
  await knex.schema.alterTable('snapshots', (t) => {
    t.dropColumn('reference_date');
    t.dropColumn('aggregated_at');
  });
  await knex.raw(`alter table snapshots drop constraint snapshots_status_valid`);
  await knex.raw(`alter table snapshots add constraint snapshots_status_valid check (status in ('complete', 'replaced'))`);
}

import type { Knex } from 'knex';

// The persons 在编 when a snapshot was taken, reduced to what the reports count: no name, no ID number (the
// personal data stays in persons; person_id links back for the payroll reconciliation). Partitioned by
// snapshot: each snapshot's rows are one partition (created by the take), so a report reads one
// partition sequentially and never an index over every month's rows.
//   birth_ymd     the birth date used (档案认定出生日期 when valid, workers/retirement.check birthDateOf) as
//                 yyyymmdd: completed years at a day d are (d_yyyymmdd − birth_ymd) / 10000
//   education     GB/T 4658 学历 code (profile.education), degree (profile.degree), political (profile.politicalStatus)
//   leader_level, leader_kind   profile.leaderPost (领导职务: level + principal/deputy), null for non-leaders
//   retire_category, retire_month   §5.1 category (chooseRetirementCategory) and statutory retirement month
//                 (domain/retirement.ts with the rules in force at the month end), the month's first day
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table snapshot_persons (
      snapshot_id uuid not null,
      person_id uuid not null,
      unit_id uuid not null,
      bianzhi_type text not null,
      gender text not null,
      birth_ymd integer not null,
      education text,
      degree text,
      political text,
      leader_level text,
      leader_kind text,
      retire_category text,
      retire_month date,
      primary key (snapshot_id, person_id)
    ) partition by list (snapshot_id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table snapshot_persons');
}

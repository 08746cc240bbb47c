import type { Knex } from 'knex';

// The 减员 cases (J1 staff-reduce-retirement, J2 staff-reduce-transfer-out, J3 staff-reduce-exit; not
// canceled or terminated) as they stood when a snapshot was taken: the event date (variables.eventDate, else
// the 出编 event's occurred_on) and the day the 编办 出编 was recorded (person_events leave/retire of the
// case, recorded_at as an Asia/Shanghai date), null while not yet done. The compliance KPI counts these.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snapshot_reductions', (t) => {
    t.uuid('snapshot_id').notNullable().references('id').inTable('snapshots').onDelete('CASCADE');
    t.uuid('process_instance_id').notNullable();
    t.text('process_id').notNullable();
    t.uuid('unit_id').nullable();
    t.date('event_date').nullable();
    t.date('vacated_on').nullable();
    t.primary(['snapshot_id', 'process_instance_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('snapshot_reductions');
}

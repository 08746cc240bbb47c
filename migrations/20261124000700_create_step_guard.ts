import type { Knex } from 'knex';

// A step written as one statement without a lock taken first (a job handed to the in-process worker,
// completed on the live session) states what it expects — the instance still at the step it saved,
// the job still activated by that worker — and calls step_guard with the outcome: false aborts the
// whole statement (SQLSTATE BZ001), nothing of it is written, and the step runs again the usual way.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function step_guard(ok boolean) returns boolean language plpgsql as $$
    begin
      if not ok then
        raise exception 'step guard: the instance or its job changed since the step was planned' using errcode = 'BZ001';
      end if;
      return true;
    end $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function step_guard(boolean)');
}

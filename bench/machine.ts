// The machine facts every benchmark report starts with (docs/benchmarks.md keeps them with the figures).
import os from 'node:os';
import type { Knex } from 'knex';

/** A Markdown table of the CPU, memory, OS, Node.js and PostgreSQL settings, plus rows of the caller's own. */
export async function machineFacts(knex: Knex, extraRows: Array<[string, string]> = []): Promise<string> {
  const cpus = os.cpus();
  const { rows } = await knex.raw(
    `select version() as v, current_setting('synchronous_commit') as sc, current_setting('shared_buffers') as sb, current_setting('work_mem') as wm,
            current_setting('max_parallel_workers_per_gather') as pw`,
  );
  const pg = rows[0] as { v: string; sc: string; sb: string; wm: string; pw: string };
  return [
    `### Machine`,
    '',
    `| fact | value |`,
    `|---|---|`,
    `| CPU | ${cpus.length} × ${cpus[0]?.model ?? 'unknown'} |`,
    `| memory | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB |`,
    `| OS | ${os.type()} ${os.release()} |`,
    `| Node.js | ${process.version} |`,
    `| PostgreSQL | ${String(pg.v).split(' on ')[0]} (synchronous_commit=${pg.sc}, shared_buffers=${pg.sb}, work_mem=${pg.wm}, max_parallel_workers_per_gather=${pg.pw}), same machine |`,
    ...extraRows.map(([fact, value]) => `| ${fact} | ${value} |`),
    `| date | ${new Date().toISOString().slice(0, 10)} |`,
  ].join('\n');
}

/**
 * npm run migrate -- latest | rollback-all | status
 * Uses the same configuration as the server (DATABASE_URL, or PGlite in DATA_DIR).
 */
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db';
import { createLogger } from './logger';
import { migrateLatest, migrationStatus, rollbackAll } from './migrate';

const COMMANDS = ['latest', 'rollback-all', 'status'] as const;
type Command = (typeof COMMANDS)[number];

async function run(command: Command): Promise<void> {
  // Only what opening the database needs: migrations run without the server's secrets.
  const config = loadConfig(process.env, ['databaseUrl', 'dataDir', 'dbPoolMax', 'logLevel']);
  const log = createLogger(config);
  const db = await openDatabase(config, log);
  try {
    if (command === 'latest') {
      const applied = await migrateLatest(db.knex, log);
      console.log(applied.length === 0 ? '已是最新 / already up to date' : `applied: ${applied.join(', ')}`);
    } else if (command === 'rollback-all') {
      const rolledBack = await rollbackAll(db.knex, log);
      console.log(rolledBack.length === 0 ? '没有可回滚的迁移 / nothing to roll back' : `rolled back: ${rolledBack.join(', ')}`);
    } else {
      const { applied, pending } = await migrationStatus(db.knex);
      console.log(`applied (${applied.length}):\n  ${applied.join('\n  ')}\npending (${pending.length}):\n  ${pending.join('\n  ')}`);
    }
  } finally {
    await db.close();
  }
}

const command = process.argv[2];
if (!COMMANDS.includes(command as Command)) {
  console.error(`用法 / usage: npm run migrate -- ${COMMANDS.join('|')}`);
  process.exit(2);
}
run(command as Command).catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`配置错误 / configuration error: ${error.message}`);
  else console.error(error instanceof Error && error.name !== 'Error' ? error.message : error);
  process.exit(1);
});

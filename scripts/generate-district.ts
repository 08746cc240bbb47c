// Generates a deterministic demo district (server/demo/generator.ts) into the configured database:
//   npx tsx scripts/generate-district.ts --persons N [--units M] [--seed S] [--year Y] [--first-code C] [--digest]
// DATABASE_URL (PostgreSQL) or PGlite in DATA_DIR, as the server; migrates first. Unit codes start at U007 (after
// the six named demo units) unless --first-code says otherwise. Each chunk of units (with their persons) is one
// transaction: an interrupted run resumes when started again with the same options; a finished one adds nothing.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../server/core/config';
import { openDatabase } from '../server/core/db';
import { createLogger } from '../server/core/logger';
import { migrateLatest } from '../server/core/migrate';
import { districtDigest, generateDistrict, writeDistrict } from '../server/demo/generator';
import { ensureReferenceData } from '../server/services/reference-data';

const USAGE = 'usage: tsx scripts/generate-district.ts --persons N [--units M] [--seed S] [--year Y] [--first-code C] [--digest]';

function intArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, not "${value}"`);
  return n;
}

class UsageError extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      persons: { type: 'string' },
      units: { type: 'string' },
      seed: { type: 'string' },
      year: { type: 'string' },
      'first-code': { type: 'string' },
      digest: { type: 'boolean', default: false },
    },
  });
  const persons = intArg(values.persons, 'persons');
  if (persons === undefined) throw new UsageError('--persons is required');
  const district = generateDistrict({
    persons,
    units: intArg(values.units, 'units'),
    seed: intArg(values.seed, 'seed'),
    year: intArg(values.year, 'year'),
    firstCodeNumber: intArg(values['first-code'], 'first-code'),
  });
  const { options } = district;
  const first = district.units[0]!.code;
  const last = district.units[district.units.length - 1]!.code;
  console.log(
    `生成区 / district: seed ${options.seed}, ${district.units.length} units (${first}–${last}), ${district.activePersons} persons 在编 + ${district.retirees} retirees, plan year ${options.year}`,
  );
  if (values.digest) console.log(`digest sha256 ${districtDigest(district)}`);

  const config = loadConfig(process.env, ['databaseUrl', 'dataDir', 'dbPoolMax', 'logLevel']);
  const log = createLogger(config);
  const db = await openDatabase(config, log);
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    await migrateLatest(db.knex, log);
    await ensureReferenceData(db.knex);
    let reported = 0;
    const result = await writeDistrict(db.knex, district, {
      onProgress: ({ units, persons: written }) => {
        if (Math.floor(written / 50_000) > Math.floor(reported / 50_000)) {
          console.log(`  ${written.toLocaleString('en-US')} persons, ${units} units, ${seconds().toFixed(1)} s`);
        }
        reported = written;
      },
    });
    console.log(
      [
        `完成 / done in ${seconds().toFixed(1)} s`,
        `  units written ${result.unitsWritten} (skipped, already there: ${result.unitsSkipped})`,
        `  persons written ${result.personsWritten.toLocaleString('en-US')} (in the plan: ${(district.activePersons + district.retirees).toLocaleString('en-US')}, of them ${district.retirees.toLocaleString('en-US')} retirees)`,
        `  over-quota units (实有 > 核定) ${district.units.filter((u) => u.quotas.some((q) => q.actual > q.approved)).length}, key-managed ${district.units.filter((u) => u.keyManagedReason).length}, frozen ${district.units.filter((u) => u.frozen).map((u) => u.code).join(', ')}`,
      ].join('\n'),
    );
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`${error.message}\n${USAGE}`);
  else if (error instanceof ConfigError) console.error(`配置错误 / configuration error: ${error.message}`);
  else console.error(error instanceof Error && error.name !== 'Error' ? error.message : error);
  process.exit(1);
});

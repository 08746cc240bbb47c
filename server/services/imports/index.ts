// 实名制 data import (units, quotas, leader posts, annual plans, persons, the finance payroll roster) from
// the district's spreadsheets. A dry run parses, validates and reports; it writes only its `imports`
// record. An apply does the same check again inside ONE transaction (under an advisory lock, against the
// data as it is then) and writes everything or nothing: the upserts, 实有/实配 recounted from the persons,
// the `imports` row and one audit event `admin.import.applied` (kinds, row counts, sha256, who — no
// personal data). A refused or failed apply leaves only an `imports` row with status failed.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { isoDate } from '../../../domain/id-number';
import { NAME_LENGTH, nameLength, RECRUIT_AGE_MAX, recruitAgeMax, type RecruitAgeMax } from '../../../domain/parameters/person';
import { statutoryAgeRules, type StatutoryAgeRules } from '../../../domain/parameters/retirement';
import { announceUsersChanged } from '../../core/auth-events';
import type { AuthUser } from '../../core/auth-user';
import { systemClock, type Clock } from '../../core/clock';
import { AppError, validationFailed } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { appErrorFromPostgres, isPostgresError } from '../../core/pg-errors';
import { reconcilePayroll } from '../stats/payroll';
import { discardProvisional } from '../stats/snapshots';
import { appendAuditEvents } from '../../repositories/audit-events';
import { createParameterStore } from '../parameters';
import { IMPORT_KINDS, SHEETS, type ImportKind } from './layout';
import { parseCsvFile, parseXlsx, type ParsedFile } from './parse';
import { countProblems, PROBLEM_CAP, sortProblems, type Problem } from './problems';
import { applyPlan, ImportConflictError, insertImportRecord, loadExistingState, lockImports, type ApplyResult } from './repository';
import { buildTemplateCsv, buildTemplateXlsx } from './template';
import { validateImport, type ImportPlan, type ValidationContext } from './validate';

export { IMPORT_KINDS, type ImportKind } from './layout';
export type { Problem } from './problems';

export interface ImportFile {
  fileName: string;
  content: Buffer;
  /** the kind of a CSV file (an XLSX names its kinds by its sheets) */
  kind?: ImportKind;
}

export interface ImportOutcome {
  importId: string;
  status: 'dry-run' | 'applied' | 'failed';
  dryRun: boolean;
  fileName: string;
  sha256: string;
  format: 'xlsx' | 'csv';
  /** data rows per kind found in the file */
  counts: Partial<Record<ImportKind, number>>;
  errors: number;
  warnings: number;
  /** sheet order, then row, then column; at most PROBLEM_CAP */
  problems: Problem[];
  problemsTruncated: boolean;
  /** rows inserted / updated per kind (applied only) */
  written?: ApplyResult;
  durationMs: number;
}

export interface ImportService {
  templateXlsx(): Promise<Buffer>;
  templateCsv(kind: ImportKind): string;
  /** dryRun: check only. Otherwise: 201-style outcome, or AppError 422 IMPORT_INVALID with the problems. */
  run(file: ImportFile, options: { dryRun: boolean }, actor: AuthUser): Promise<ImportOutcome>;
}

export interface ImportServiceDeps {
  db: Knex;
  log: Logger;
  clock?: Clock;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const SHEET_ORDER = SHEETS.map((s) => s.sheet);

export function createImportService({ db, log, clock = systemClock }: ImportServiceDeps): ImportService {
  const parameters = createParameterStore(db, clock);
  let template: Promise<Buffer> | undefined;

  /** The parameters the person rules read, in force today (the built-in defaults when the table has none). */
  async function context(): Promise<ValidationContext> {
    const today = isoDate(clock());
    const names = await parameters.find<{ min: number; max: number }>(NAME_LENGTH, today);
    const ages = await parameters.find<RecruitAgeMax>(RECRUIT_AGE_MAX, today);
    const retirement = await parameters.find<StatutoryAgeRules>(statutoryAgeRules[0]!.key, today);
    return {
      today,
      nameLength: names?.value ?? nameLength[0]!.value,
      recruitAgeMax: ages?.value ?? recruitAgeMax[0]!.value,
      retirementRules: retirement?.value ?? statutoryAgeRules[0]!.value,
    };
  }

  async function parse(file: ImportFile): Promise<{ parsed: ParsedFile; format: 'xlsx' | 'csv' }> {
    const isZip = file.content.subarray(0, 4).equals(ZIP_MAGIC);
    if (isZip) {
      if (file.kind) throw validationFailed([{ field: 'kind', message: 'XLSX 文件按工作表识别数据类型，不需要 kind' }]);
      return { parsed: await parseXlsx(file.content), format: 'xlsx' };
    }
    if (/\.xlsx?$/i.test(file.fileName)) throw validationFailed([{ field: 'file', message: '文件不是有效的 XLSX（Excel 2007 及以上）文件；.xls 请另存为 .xlsx' }]);
    if (!file.kind) throw validationFailed([{ field: 'kind', message: `CSV 文件须指明数据类型 kind：${IMPORT_KINDS.join(' / ')}` }]);
    return { parsed: await parseCsvFile(file.content, file.kind), format: 'csv' };
  }

  function outcomeOf(base: Omit<ImportOutcome, 'errors' | 'warnings' | 'problems' | 'problemsTruncated'>, problems: Problem[]): ImportOutcome {
    const { errors, warnings } = countProblems(problems);
    return { ...base, errors, warnings, problems: problems.slice(0, PROBLEM_CAP), problemsTruncated: problems.length > PROBLEM_CAP };
  }

  const record = (trx: Knex, o: ImportOutcome, actor: AuthUser) =>
    insertImportRecord(trx, {
      file_name: o.fileName,
      sha256: o.sha256,
      kind_counts: o.counts as Record<string, number>,
      status: o.status,
      error_count: o.errors,
      warning_count: o.warnings,
      problems: o.problems,
      created_by: actor.id,
    });

  function checked(parsed: ParsedFile, existing: Awaited<ReturnType<typeof loadExistingState>>, ctx: ValidationContext): { problems: Problem[]; plan: ImportPlan } {
    const { problems, plan } = validateImport(parsed, existing, ctx);
    if (Object.keys(parsed.sheets).length === 0 && !problems.some((p) => p.level === 'error')) {
      problems.push({ level: 'error', code: 'NO_DATA', sheet: '', row: 0, column: null, message: `文件中没有可识别的数据表（${SHEET_ORDER.join('、')}）` });
    }
    return { problems: sortProblems(problems, SHEET_ORDER), plan };
  }

  return {
    templateXlsx() {
      template ??= buildTemplateXlsx();
      return template;
    },

    templateCsv: buildTemplateCsv,

    async run(file, { dryRun }, actor) {
      const started = Date.now();
      const sha256 = createHash('sha256').update(file.content).digest('hex');
      const fileName = file.fileName.slice(0, 255) || 'upload';
      const runLog = log.child({ component: 'imports', sha256: sha256.slice(0, 12), dryRun });
      const { parsed, format } = await parse(file);
      const ctx = await context();
      const rows = Object.values(parsed.sheets).reduce((n, s) => n + (s?.rows.length ?? 0), 0);
      runLog.info({ format, rows, parseMs: Date.now() - started }, 'import: file parsed');
      const base = { fileName, sha256, format, dryRun };

      if (dryRun) {
        const { problems, plan } = checked(parsed, await loadExistingState(db), ctx);
        const outcome = outcomeOf({ ...base, importId: '', status: 'dry-run', counts: plan.counts, durationMs: 0 }, problems);
        outcome.importId = (await record(db, outcome, actor)).id;
        outcome.durationMs = Date.now() - started;
        runLog.info({ importId: outcome.importId, errors: outcome.errors, warnings: outcome.warnings, ms: outcome.durationMs }, 'import: checked');
        return outcome;
      }

      let refused: ImportOutcome | undefined;
      let counts: ImportOutcome['counts'] = {};
      let payrollMonths: string[] = [];
      try {
        const applied = await db.transaction(async (trx) => {
          await lockImports(trx);
          const { problems, plan } = checked(parsed, await loadExistingState(trx), ctx);
          counts = plan.counts;
          const outcome = outcomeOf({ ...base, importId: '', status: 'applied', counts: plan.counts, durationMs: 0 }, problems);
          if (outcome.errors > 0) {
            refused = { ...outcome, status: 'failed' };
            throw refused;
          }
          runLog.info({ checkMs: Date.now() - started }, 'import: checked, writing');
          outcome.written = await applyPlan(trx, plan, runLog);
          payrollMonths = [...new Set(plan.payroll.map((p) => p.month))];
          outcome.importId = (await record(trx, outcome, actor)).id;
          await appendAuditEvents(trx, [
            {
              actor: `user:${actor.username}`,
              kind: 'admin.import.applied',
              payload: { importId: outcome.importId, sha256, format, counts: plan.counts, written: outcome.written, userId: actor.id },
            },
          ]);
          return outcome;
        });
        announceUsersChanged(); // units may be new or moved under a supervisor
        // the compliance figures of a month compare its snapshot with its roster: compare again now the roster
        // changed (after the commit; a failure here leaves the import in place, and the next take reconciles)
        for (const month of payrollMonths) {
          await reconcilePayroll(db, month).catch((error: unknown) => runLog.warn({ err: error, month }, 'import: payroll reconciliation failed'));
        }
        // the current month's provisional figures no longer hold: the next report takes them afresh
        await discardProvisional(db).catch((error: unknown) => runLog.warn({ err: error }, 'import: provisional snapshot not discarded'));
        applied.durationMs = Date.now() - started;
        runLog.info({ importId: applied.importId, written: applied.written, ms: applied.durationMs }, 'import: applied');
        return applied;
      } catch (error) {
        if (refused && error === refused) {
          refused.importId = (await record(db, refused, actor)).id;
          refused.durationMs = Date.now() - started;
          runLog.info({ importId: refused.importId, errors: refused.errors }, 'import: refused, nothing written');
          const { problems, ...summary } = refused;
          throw new AppError(422, 'IMPORT_INVALID', `文件有 ${refused.errors} 处错误，未导入任何数据`, { ...summary, problems });
        }
        // a failure while writing: the transaction is rolled back, the attempt is recorded
        const mapped = isPostgresError(error) ? appErrorFromPostgres(error) : error instanceof ImportConflictError ? new AppError(409, 'IMPORT_CONFLICT', error.message) : undefined;
        const problem: Problem = { level: 'error', code: 'APPLY_FAILED', sheet: '', row: 0, column: null, message: `写入失败，已全部撤销：${mapped?.message ?? '服务器内部错误'}` };
        const failed = outcomeOf({ ...base, importId: '', status: 'failed', counts, durationMs: Date.now() - started }, [problem]);
        failed.importId = (await record(db, failed, actor)).id;
        // no row data in the log: a PostgreSQL error's detail repeats the offending values
        const cause = isPostgresError(error) ? { sqlstate: error.code, constraint: error.constraint } : { name: (error as Error)?.name, code: mapped?.code };
        runLog.warn({ importId: failed.importId, cause }, 'import: failed, rolled back');
        if (mapped) throw new AppError(mapped.status, mapped.code, `导入失败，未写入任何数据：${mapped.message}`, { ...(mapped.details as object | undefined), importId: failed.importId });
        throw error;
      }
    },
  };
}

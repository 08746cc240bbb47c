// What every report shares: its context (the source it reads, the unit filter) and its tables for export.
import type { Knex } from 'knex';
import { sql, raw, type Sql } from './sql';
import { sourceView, type Source, type SourceView } from './snapshots';
import { codeNames } from '../../../domain/codes';

export interface ReportContext {
  db: Knex;
  source: Source;
  /** only this unit and the units whose 主管部门 it is */
  unitId?: string;
}

/** `and <column> in (the unit and its subordinate units)` when the report is filtered to a unit; empty otherwise. */
export function unitFilter(ctx: ReportContext, column: string): Sql {
  if (!ctx.unitId) return raw('');
  return sql` and ${raw(column)} in (select su.unit_id from (${ctx.source.units}) su where su.unit_id = ${ctx.unitId}::uuid or su.parent_unit_id = ${ctx.unitId}::uuid)`;
}

export interface ExportColumn {
  key: string;
  /** zh-CN column header */
  header: string;
  type?: 'int' | 'number' | 'percent' | 'text';
  width?: number;
}

export interface ExportTable {
  /** the ?table= name of the CSV export */
  name: string;
  /** the sheet name (zh-CN, ≤ 31 characters) */
  title: string;
  columns: ExportColumn[];
  rows: Iterable<Record<string, unknown>>;
}

export interface ReportResult {
  snapshot: SourceView;
  /** each figure's definition, next to the figures (zh-CN) */
  definitions: Record<string, string>;
}

export const header = (ctx: ReportContext): SourceView => sourceView(ctx.source);

/** code → name of the domain code tables (domain/codes.ts), for the reports' labels. */
export const BIANZHI_TYPE_NAMES = codeNames('bianzhiType');
export const FUNDING_NAMES = codeNames('fundingForm');
export const NATURE_NAMES = codeNames('unitNature');
export const KIND_NAMES = codeNames('leaderPostKind');

/** Completed years at `day` (yyyy-mm-dd) of a birth stored as yyyymmdd: SQL over birth_ymd. */
export function ageSql(day: string, column = 'birth_ymd'): Sql {
  const ref = Number(day.replaceAll('-', ''));
  return sql`((${ref}::int - ${raw(column)}) / 10000)`;
}

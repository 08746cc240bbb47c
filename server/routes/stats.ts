// District statistics (domain-spec.md §8) over month-end snapshots: each report as JSON, .xlsx and .csv, and
// the snapshots (list; take one now — administrators).
import { Router, type Request } from 'express';
import { currentUser, requirePermission } from '../core/auth';
import { dataResponse, registerPaths, registerTag, type PathItem } from '../openapi';
import { MISMATCH_KINDS, REPORT_TITLES, REPORTS, type ReportName, type StatsQuery, type StatsService } from '../services/stats/index';
import { queryInt, queryString } from './query';

const YEARS: Partial<Record<ReportName, boolean>> = { 'retirement-forecast': true, flows: true };

function statsQuery(req: Request, report: ReportName): StatsQuery {
  const q: StatsQuery = {};
  const date = queryString(req, 'date', 10);
  if (date !== undefined) q.date = date;
  const unitId = queryString(req, 'unitId', 36);
  if (unitId !== undefined) q.unitId = unitId;
  if (YEARS[report]) q.years = queryInt(req, 'years', { min: 1, max: 30, fallback: 5 });
  if (report === 'compliance') q.months = queryInt(req, 'months', { min: 1, max: 60, fallback: 12 });
  return q;
}

export function statsRoutes(stats: StatsService): Router {
  const router = Router();
  router.get('/stats/snapshots', requirePermission('stats.read'), async (req, res) => {
    res.json({ data: await stats.listSnapshots(currentUser(req)) });
  });
  router.post('/stats/snapshots', requirePermission('unit.write'), async (req, res) => {
    const body = (req.body ?? {}) as { month?: unknown; replace?: unknown; reason?: unknown };
    res.status(201).json({ data: await stats.takeSnapshot({ month: body.month, replace: body.replace, reason: body.reason }, currentUser(req)) });
  });
  router.get('/stats/compliance/payroll-mismatches', requirePermission('stats.read'), async (req, res) => {
    const kind = queryString(req, 'kind', 20);
    const page = await stats.payrollMismatches(
      { ...statsQuery(req, 'compliance'), ...(kind !== undefined ? { kind } : {}), offset: queryInt(req, 'offset', { min: 0, max: 10_000_000, fallback: 0 }), limit: queryInt(req, 'limit', { min: 1, max: 1000, fallback: 100 }) },
      currentUser(req),
    );
    res.set('Cache-Control', 'no-store').json({ data: page });
  });
  router.get('/stats/overdue-steps', requirePermission('stats.read'), async (req, res) => {
    const days = queryInt(req, 'days', { min: 1, max: 366, fallback: 30 })!;
    res.set('Cache-Control', 'no-store').json({ data: await stats.overdueSteps({ days }, currentUser(req)) });
  });
  for (const report of REPORTS) {
    router.get(`/stats/${report}`, requirePermission('stats.read'), async (req, res) => {
      res.set('Cache-Control', 'no-store').json({ data: await stats.report(report, statsQuery(req, report), currentUser(req)) });
    });
    for (const format of ['xlsx', 'csv'] as const) {
      router.get(`/stats/${report}.${format}`, requirePermission('stats.read'), async (req, res) => {
        const table = format === 'csv' ? queryString(req, 'table', 40) : undefined;
        const file = await stats.exportFile(report, format, { ...statsQuery(req, report), ...(table ? { table } : {}) }, currentUser(req));
        res.set('Cache-Control', 'no-store').attachment(file.fileName).type(file.contentType);
        await file.write(res);
      });
    }
  }
  return router;
}

registerTag('stats', '统计：月末快照上的超缺编、人员结构、退休预测、领导职数、增减员趋势、合规指标及其 Excel/CSV 导出');

const common = [
  { name: 'date', in: 'query', schema: { type: 'string', format: 'date' }, description: '参照日 yyyy-mm-dd（默认今天）：取月末不晚于该日的最新快照；本月无月末快照时按本月临时快照（首次请求时生成，过期后后台刷新）统计' },
  { name: 'unitId', in: 'query', schema: { type: 'string', format: 'uuid' }, description: '只统计该单位及其所属单位（以其为主管部门者）' },
];
const extra: Record<ReportName, unknown[]> = {
  establishment: [],
  structure: [],
  'retirement-forecast': [{ name: 'years', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 30, default: 5 } }],
  'leader-posts': [],
  flows: [{ name: 'years', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 30, default: 5 } }],
  compliance: [{ name: 'months', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 60, default: 12 }, description: '减员出编时限的统计区间（月）' }],
};
const errors = {
  400: { $ref: '#/components/responses/ValidationFailed' },
  403: { $ref: '#/components/responses/Forbidden' },
  404: { description: 'NOT_FOUND：该日之前没有月末快照', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } },
};
const snapshotSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    month: { type: 'string', description: 'yyyy-mm' },
    takenAt: { type: 'string', format: 'date-time' },
    takenBy: { type: 'string' },
    status: { type: 'string', enum: ['complete', 'replaced', 'provisional'], description: 'provisional：本月临时快照（本月报表所用，定期刷新）' },
    persons: { type: 'integer' },
    units: { type: 'integer' },
    durationMs: { type: ['integer', 'null'] },
    replacedBy: { type: ['string', 'null'], format: 'uuid' },
  },
};
const paths: Record<string, PathItem> = {
  '/api/stats/snapshots': {
    get: { tags: ['stats'], summary: '月末快照列表（含已被替换的）', responses: { 200: dataResponse('快照', { type: 'array', items: snapshotSchema }), 403: errors[403] } },
    post: {
      tags: ['stats'],
      summary: '立即生成某月的月末快照（管理员）；该月已有快照时 409 SNAPSHOT_EXISTS，除非 replace: true 并说明原因（记入审计日志）',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['month'],
              properties: { month: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }, replace: { type: 'boolean' }, reason: { type: 'string', maxLength: 500 } },
            },
          },
        },
      },
      responses: { 201: dataResponse('快照', snapshotSchema), 400: errors[400], 403: errors[403], 409: { $ref: '#/components/responses/Conflict' } },
    },
  },
};
for (const report of REPORTS) {
  const parameters = [...common, ...extra[report]];
  paths[`/api/stats/${report}`] = {
    get: {
      tags: ['stats'],
      summary: `${REPORT_TITLES[report]}（JSON）：snapshot 指明所用快照（month、takenAt；live 为本月临时快照），definitions 给出各项口径`,
      parameters,
      responses: { 200: dataResponse(REPORT_TITLES[report], { type: 'object', required: ['snapshot', 'definitions'] }), ...errors },
    },
  };
  paths[`/api/stats/${report}.xlsx`] = {
    get: {
      tags: ['stats'],
      summary: `${REPORT_TITLES[report]}（Excel）：每张表一个工作表，中文表头，首行冻结；“说明”工作表列出快照与口径`,
      parameters,
      responses: {
        200: { description: 'XLSX 文件（附件，流式输出）', content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } } },
        ...errors,
      },
    },
  };
  paths[`/api/stats/${report}.csv`] = {
    get: {
      tags: ['stats'],
      summary: `${REPORT_TITLES[report]}（CSV，UTF-8 带 BOM）：一张表，?table= 选择（默认第一张）`,
      parameters: [...parameters, { name: 'table', in: 'query', schema: { type: 'string' }, description: '表名，如 units、by-type' }],
      responses: { 200: { description: 'CSV 文件（附件，流式输出）', content: { 'text/csv': { schema: { type: 'string' } } } }, ...errors },
    },
  };
}
paths['/api/stats/compliance/payroll-mismatches'] = {
  get: {
    tags: ['stats'],
    summary: '工资统发核对的差异名单（分页）：报表月份快照的在编人员与统发名单逐人核对结果（快照生成时及名单导入后核对并保存）',
    parameters: [
      ...common,
      { name: 'kind', in: 'query', schema: { type: 'string', enum: [...MISMATCH_KINDS] }, description: 'not_on_roster 在编未在册；unit_mismatch 单位不符；no_record 在册无入编记录；left 在册已出编；缺省为全部' },
      { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
      { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
    ],
    responses: { 200: dataResponse('差异名单一页', { type: 'object', required: ['total', 'items'] }), ...errors },
  },
};
paths['/api/stats/overdue-steps'] = {
  get: {
    tags: ['stats'],
    summary: '超期环节（按部门，实时）：在办、超期、已督办的环节数，及近 days 天办结的环节中超期办结数；definitions 给出口径',
    parameters: [{ name: 'days', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 366, default: 30 }, description: '办结统计的天数' }],
    responses: { 200: dataResponse('各部门的环节办理时限情况', { type: 'object', required: ['at', 'days', 'byDepartment', 'definitions'] }), ...errors },
  },
};
registerPaths(paths);

import { Router, type RequestHandler } from 'express';
import multer from 'multer';
import { currentUser, requirePermission } from '../core/auth';
import { validationFailed } from '../core/errors';
import { dataResponse, registerPaths, registerTag } from '../openapi';
import { IMPORT_KINDS, type ImportKind, type ImportService } from '../services/imports/index';
import { queryEnum, queryString } from './query';

/** 100,000 persons as XLSX are ≈ 8 MB; as CSV ≈ 12 MB. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 5 }, defParamCharset: 'utf8' });

/** GET /api/imports/template.xlsx, GET /api/imports/template.csv?kind=, POST /api/imports (multipart, field `file`). */
export function importRoutes(imports: ImportService): Router {
  const router = Router();
  const xlsxTemplate: RequestHandler = async (_req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .attachment('实名制导入模板.xlsx')
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .send(await imports.templateXlsx());
  };
  router.get('/imports/template.xlsx', requirePermission('unit.read'), xlsxTemplate);
  // ?kind=persons&format=csv on either path: the CSV header row of one kind
  const csvTemplate: RequestHandler = (req, res) => {
    const kind = queryEnum(req, 'kind', IMPORT_KINDS);
    if (!kind) throw validationFailed([{ field: '?kind', message: `应为以下值之一：${IMPORT_KINDS.join('、')}` }]);
    res.set('Cache-Control', 'no-store').attachment(`实名制导入模板-${kind}.csv`).type('text/csv; charset=utf-8').send(imports.templateCsv(kind));
  };
  router.get('/imports/template.csv', requirePermission('unit.read'), csvTemplate);
  router.get('/imports/template', requirePermission('unit.read'), (req, res, next) => {
    return queryEnum(req, 'format', ['xlsx', 'csv'] as const, 'xlsx') === 'csv' ? csvTemplate(req, res, next) : xlsxTemplate(req, res, next);
  });
  router.post('/imports', requirePermission('unit.write'), uploadFile, async (req, res) => {
    const file = req.file;
    if (!file) throw validationFailed([{ field: 'file', message: '请在字段 file 中上传一个 XLSX 或 CSV 文件' }]);
    const dryRun = queryBoolean(queryString(req, 'dryRun', 5) ?? bodyField(req, 'dryRun'), true);
    const kindText = queryString(req, 'kind', 20) ?? bodyField(req, 'kind');
    if (kindText !== undefined && !(IMPORT_KINDS as readonly string[]).includes(kindText)) {
      throw validationFailed([{ field: 'kind', message: `应为以下值之一：${IMPORT_KINDS.join('、')}` }]);
    }
    const outcome = await imports.run({ fileName: file.originalname, content: file.buffer, kind: kindText as ImportKind | undefined }, { dryRun }, currentUser(req));
    res.status(dryRun ? 200 : 201).json({ data: outcome });
  });
  return router;
}

function queryBoolean(text: string | undefined, fallback: boolean): boolean {
  if (text === undefined || text === '') return fallback;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw validationFailed([{ field: 'dryRun', message: '应为 true 或 false' }]);
}

function bodyField(req: import('express').Request, name: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// multer's own errors (too large, more than one file, wrong field) become 400 with the field named
const uploadFile: RequestHandler = (req, res, next) => {
  upload.single('file')(req, res, (err: unknown) => {
    if (!err) return next();
    const code = (err as { code?: string }).code ?? '';
    const message =
      code === 'LIMIT_FILE_SIZE'
        ? `文件不能超过 ${MAX_FILE_BYTES / 1024 / 1024} MB`
        : code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT'
          ? '只能上传一个文件，放在字段 file 中'
          : '上传的文件无法读取';
    next(validationFailed([{ field: 'file', message }]));
  });
};

registerTag('imports', '实名制数据导入：单位、编制、领导职数、年度用编计划、人员、工资统发名单');
const problemSchema = {
  type: 'object',
  required: ['level', 'code', 'sheet', 'row', 'column', 'message'],
  properties: {
    level: { type: 'string', enum: ['error', 'warning'] },
    code: { type: 'string', description: '如 ID_NUMBER_INVALID、GENDER_MISMATCH、UNIT_UNKNOWN、BIANZHI_TYPE_NOT_ALLOWED、DUPLICATE_ID_NUMBER、ACTIVE_ELSEWHERE、QUOTA_EXCEEDED、DATE_INVALID、CODE_INVALID' },
    sheet: { type: 'string', description: '工作表名（CSV：数据类型的表名）' },
    row: { type: 'integer', description: '表格中显示的行号（表头为第 1 行）' },
    column: { type: ['object', 'null'], properties: { header: { type: 'string' }, letter: { type: ['string', 'null'] } } },
    message: { type: 'string' },
  },
};
const outcomeSchema = {
  type: 'object',
  properties: {
    importId: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['dry-run', 'applied', 'failed'] },
    dryRun: { type: 'boolean' },
    fileName: { type: 'string' },
    sha256: { type: 'string' },
    format: { type: 'string', enum: ['xlsx', 'csv'] },
    counts: { type: 'object', description: '各类数据的行数', additionalProperties: { type: 'integer' } },
    errors: { type: 'integer' },
    warnings: { type: 'integer' },
    problems: { type: 'array', items: problemSchema, description: '最多 5000 条（errors / warnings 为完整计数）' },
    problemsTruncated: { type: 'boolean' },
    written: { type: 'object', description: '各类数据新增 / 更新的行数（仅导入）' },
    durationMs: { type: 'integer' },
  },
};
const kindParam = { name: 'kind', in: 'query', schema: { type: 'string', enum: [...IMPORT_KINDS] } };
registerPaths({
  '/api/imports/template.xlsx': {
    get: {
      tags: ['imports'],
      summary: '导入模板（XLSX）：每类数据一张工作表（中文表头），“说明”表解释每一列并列出代码表',
      responses: { 200: { description: 'XLSX 附件', content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } } } },
    },
  },
  '/api/imports/template.csv': {
    get: {
      tags: ['imports'],
      summary: '一类数据的 CSV 模板（UTF-8 带 BOM 的表头行）；也可用 GET /api/imports/template?kind=persons&format=csv',
      parameters: [{ ...kindParam, required: true }],
      responses: { 200: { description: 'CSV 附件', content: { 'text/csv': { schema: { type: 'string' } } } }, 400: { $ref: '#/components/responses/ValidationFailed' } },
    },
  },
  '/api/imports': {
    post: {
      tags: ['imports'],
      summary: '导入实名制数据：默认只检查（dryRun=true，不写入数据）；dryRun=false 时在一个事务中全部写入或全部不写入',
      description:
        '逐行按领域规则检查：公民身份号码（GB 11643 校验码）及其与性别、出生日期一致；姓名；代码表（代码或中文名称）；编制类型与机构性质；' +
        '一人一编（文件内重复、系统中在其他单位在编）；实有人数不超过核定编制数（加允许溢出数），领导职数实配不超过核定；引用的单位存在；日期 yyyy-mm-dd。' +
        '每个问题给出工作表、行号、列（表头与列字母）、代码与中文说明。导入后 quotas.actual 与 leader_posts.actual 由在编人员重新计算；记录审计事件 admin.import.applied。',
      parameters: [
        { name: 'dryRun', in: 'query', schema: { type: 'boolean', default: true } },
        { ...kindParam, description: 'CSV 文件的数据类型（XLSX 不需要）' },
      ],
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' }, kind: { type: 'string', enum: [...IMPORT_KINDS] }, dryRun: { type: 'string', enum: ['true', 'false'] } } },
          },
        },
      },
      responses: {
        200: dataResponse('检查结果（dryRun=true）', outcomeSchema),
        201: dataResponse('已导入（dryRun=false）', outcomeSchema),
        400: { $ref: '#/components/responses/ValidationFailed' },
        409: { description: 'IMPORT_CONFLICT / CONFLICT：写入时与现有数据冲突，已全部撤销（details.importId）' },
        422: { description: 'IMPORT_INVALID：文件有错误，未写入任何数据；details 含 counts、errors、warnings、problems、importId' },
      },
    },
  },
});

import { Router, type Response } from 'express';
import { currentUser, requirePermission } from '../core/auth';
import { dataResponse, registerPaths, registerTag } from '../openapi';
import type { DocumentReadService, VerifyResult } from '../services/documents';
import { pathParam, queryString } from './query';

/** Generated documents for signed-in readers (scoped: unit staff see their unit's documents only). Mount at /api. */
export function documentRoutes(documents: DocumentReadService): Router {
  const router = Router();
  router.get('/documents/:id', requirePermission('document.read'), async (req, res) => {
    res.json({ data: await documents.get(pathParam(req, 'id'), currentUser(req)) });
  });
  router.get('/documents/:id/pdf', requirePermission('document.read'), async (req, res) => {
    const { fileName, pdf } = await documents.pdf(pathParam(req, 'id'), currentUser(req));
    res.set('Cache-Control', 'no-store').attachment(fileName).type('application/pdf').send(pdf);
  });
  router.get('/process-instances/:id/documents', requirePermission('document.read'), async (req, res) => {
    res.json({ data: await documents.listForInstance(pathParam(req, 'id'), currentUser(req)) });
  });
  return router;
}

/**
 * The public QR verification page, without authentication: mount at `/` with auth 'public'.
 * HTML in zh-CN, or JSON when the caller asks for application/json. It shows only the document's key
 * fields (the ID number masked); 404 for an unknown number.
 */
export function publicVerifyRoutes(documents: DocumentReadService): Router {
  const router = Router();
  router.get('/verify/:number', async (req, res) => {
    const number = pathParam(req, 'number');
    const result = await documents.verify(number, queryString(req, 'c', 200));
    const status = result.status === 'not-found' ? 404 : result.status === 'code-missing' ? 400 : 200;
    res.set({ 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex', 'Referrer-Policy': 'no-referrer' });
    res.status(status);
    if (req.accepts(['html', 'json']) === 'json') return sendJson(res, result);
    res
      .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
      .type('html')
      .send(verifyPage(number, result));
  });
  return router;
}

const MESSAGES = {
  'not-found': '未找到该编号的文书',
  altered: '校验码不符（文书可能已被篡改）',
  'code-missing': '缺少校验码：请扫描文书上的二维码，或在地址后加上文书上印的校验码',
} as const;

function sendJson(res: Response, result: VerifyResult): void {
  switch (result.status) {
    case 'valid':
      res.json({ data: { valid: true, ...result.document } });
      return;
    case 'altered':
      res.json({ data: { valid: false, status: 'altered', reason: result.reason, message: MESSAGES.altered } });
      return;
    case 'not-found':
      res.json({ error: { code: 'NOT_FOUND', message: MESSAGES['not-found'] } });
      return;
    case 'code-missing':
      res.json({ error: { code: 'VALIDATION_FAILED', message: MESSAGES['code-missing'], details: [{ field: '?c', message: '缺少校验码' }] } });
      return;
  }
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function verifyPage(number: string, result: VerifyResult): string {
  const ok = result.status === 'valid';
  const heading = ok ? '核验通过：文书真实有效' : result.status === 'altered' ? MESSAGES.altered : result.status === 'not-found' ? '未找到该文书' : '缺少校验码';
  let body: string;
  if (result.status === 'valid') {
    const d = result.document;
    const rows: Array<[string, string]> = [
      ['文书', d.typeName],
      ['编号', d.number],
      ['签发单位', d.issuer],
      ['签发日期', d.issuedOn],
      ...d.keyFields.map((f): [string, string] => [f.label, f.value]),
    ];
    body = `<table>${rows
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v).replace(/\n/g, '<br>')}</td></tr>`)
      .join('')}</table>
<p class="hint">请将以上内容与纸质文书逐项核对；不一致的，以本页为准并向签发单位反映。</p>`;
  } else if (result.status === 'altered') {
    body = `<p>编号 <b>${escapeHtml(number)}</b> 的文书存在，但二维码中的校验码与系统中的记录不符。该文书可能已被篡改或伪造，请勿采信，并向签发单位核实。</p>`;
  } else if (result.status === 'not-found') {
    body = `<p>系统中没有编号为 <b>${escapeHtml(number)}</b> 的文书（未找到）。请核对编号；该文书可能是伪造的。</p>`;
  } else {
    body = `<p>${escapeHtml(MESSAGES['code-missing'])}。</p>`;
  }
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>文书核验 · ${escapeHtml(heading)}</title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;background:#f4f6f8;color:#1a1a1a}
main{max-width:560px;margin:0 auto;padding:24px 16px}
h1{font-size:20px;margin:0 0 16px;padding:14px 16px;border-radius:6px;color:#fff;background:${ok ? '#1e7b34' : '#b3261e'}}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{border:1px solid #d0d5db;padding:8px 10px;text-align:left;vertical-align:top;font-size:15px}
th{width:34%;background:#eef1f5;font-weight:600}
p{line-height:1.6}.hint{color:#555;font-size:13px}
footer{color:#777;font-size:12px;margin-top:24px}
</style>
</head>
<body><main>
<h1>${escapeHtml(heading)}</h1>
${body}
<footer>编制流程平台 · 文书核验</footer>
</main></body>
</html>
`;
}

registerTag('documents', '文书：用编、入编、出编通知单，增减员审批表，调令，介绍信，调资表，核拨经费通知单；公开二维码核验');
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const documentSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    type: { type: 'string', examples: ['RBTZ'] },
    typeName: { type: 'string', examples: ['入编通知单'] },
    number: { type: 'string', examples: ['370612-RBTZ-2026-0001'] },
    issuedOn: { type: 'string', format: 'date' },
    payload: { type: 'object', description: '文书字段（英文键；PDF 中以中文标签打印）' },
    instanceId: { type: ['string', 'null'] },
    unitId: { type: ['string', 'null'] },
    personId: { type: ['string', 'null'] },
    code: { type: 'string', description: '校验码（HMAC-SHA256 签名）' },
    verifyPath: { type: 'string' },
    verifyUrl: { type: 'string' },
  },
};
registerPaths({
  '/api/documents/{id}': {
    get: {
      tags: ['documents'],
      summary: '一份文书：编号、类型、签发日期、字段、校验码与核验地址（单位人员只能看本单位的文书）',
      parameters: [idParam],
      responses: { 200: dataResponse('文书', documentSchema), 404: { $ref: '#/components/responses/NotFound' } },
    },
  },
  '/api/documents/{id}/pdf': {
    get: {
      tags: ['documents'],
      summary: '文书 PDF（附件）：中文字段表、公共表头与核验二维码',
      parameters: [idParam],
      responses: {
        200: { description: 'PDF 文件（Content-Disposition: attachment）', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
        404: { $ref: '#/components/responses/NotFound' },
        503: { description: 'REPORT_FONT_UNAVAILABLE：服务器缺少中文字体包（@embedpdf/fonts-sc），无法生成 PDF', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } },
      },
    },
  },
  '/api/process-instances/{id}/documents': {
    get: {
      tags: ['documents'],
      summary: '实例出具的文书列表',
      parameters: [idParam],
      responses: { 200: dataResponse('文书（按出具时间）', { type: 'array', items: { type: 'object' } }), 404: { $ref: '#/components/responses/NotFound' } },
    },
  },
  '/verify/{number}': {
    get: {
      tags: ['documents'],
      summary: '公开核验（无需登录）：二维码地址。HTML 页面；Accept: application/json 时返回 JSON',
      security: [],
      parameters: [
        { name: 'number', in: 'path', required: true, schema: { type: 'string' }, example: '370612-RBTZ-2026-0001' },
        { name: 'c', in: 'query', required: true, schema: { type: 'string' }, description: '校验码' },
      ],
      responses: {
        200: {
          description: 'valid=true 时给出文书的主要字段（身份证号仅显示前 6 位和后 4 位）；valid=false 表示校验码不符（文书可能已被篡改）',
          content: { 'application/json': { schema: { type: 'object' } }, 'text/html': { schema: { type: 'string' } } },
        },
        400: { $ref: '#/components/responses/ValidationFailed' },
        404: { $ref: '#/components/responses/NotFound' },
      },
    },
  },
});

import { Router } from 'express';
import { currentUser, requirePermission } from '../core/auth';
import { dataResponse, registerPaths, registerTag } from '../openapi';
import type { HistoryService } from '../services/history';
import { pathParam, queryInt } from './query';

/** History, replay, verification and the case-file exports of instances; verification of the whole audit log. */
export function historyRoutes(history: HistoryService): Router {
  const router = Router();
  router.get('/process-instances/:id/history', requirePermission('history.read'), async (req, res) => {
    res.json({ data: await history.history(pathParam(req, 'id'), currentUser(req)) });
  });
  router.get('/process-instances/:id/replay', requirePermission('history.read'), async (req, res) => {
    const at = queryInt(req, 'at', { min: 0, max: 10_000_000 });
    res.json({ data: await history.replay(pathParam(req, 'id'), at, currentUser(req)) });
  });
  router.post('/process-instances/:id/verify', requirePermission('history.verify'), async (req, res) => {
    res.json({ data: await history.verify(pathParam(req, 'id'), currentUser(req)) });
  });
  router.get('/process-instances/:id/export.json', requirePermission('history.read'), async (req, res) => {
    const { fileName, content } = await history.exportJson(pathParam(req, 'id'), currentUser(req));
    res.set('Cache-Control', 'no-store').attachment(fileName).type('application/json').send(JSON.stringify(content, null, 2));
  });
  router.get('/process-instances/:id/report.pdf', requirePermission('history.read'), async (req, res) => {
    const { fileName, pdf } = await history.report(pathParam(req, 'id'), currentUser(req));
    res.set('Cache-Control', 'no-store').attachment(fileName).type('application/pdf').send(pdf);
  });
  router.get('/audit/verify', requirePermission('history.verify'), async (_req, res) => {
    res.json({ data: await history.verifyAll() });
  });
  return router;
}

registerTag('history', '审计：历史、回放、核验与案卷导出');
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
registerPaths({
  '/api/process-instances/{id}/history': {
    get: {
      tags: ['history'],
      summary: '实例的全部历史事件：谁、何时、哪个元素、变量变化、哈希',
      parameters: [idParam],
      responses: { 200: dataResponse('事件（按序号）', { type: 'array', items: { type: 'object' } }), 404: { $ref: '#/components/responses/NotFound' } },
    },
  },
  '/api/process-instances/{id}/replay': {
    get: {
      tags: ['history'],
      summary: '第 N 个事件之后的状态：活动与已完成元素、走过的连线、变量',
      parameters: [idParam, { name: 'at', in: 'query', schema: { type: 'integer', minimum: 0 } }],
      responses: { 200: dataResponse('状态', { type: 'object' }), 400: { $ref: '#/components/responses/ValidationFailed' } },
    },
  },
  '/api/process-instances/{id}/verify': {
    post: {
      tags: ['history'],
      summary: '核验：哈希链完整，且按记录的输入在记录的流程版本上重放得到记录的路径与变量',
      parameters: [idParam],
      responses: { 200: dataResponse('核验结果（chain.problem / rerun.divergence 指明第一处问题的序号）', { type: 'object' }) },
    },
  },
  '/api/process-instances/{id}/export.json': {
    get: {
      tags: ['history'],
      summary: '导出实例的全部记录（JSON 附件）：实例、流程定义版本与校验和、每条历史事件及其哈希、导出时的核验结果、链头哈希',
      description: '文件本身即导出文档（不包在 data 中）。哈希规则见其中的 hashing：hash = sha256(prevHash || RFC 8785 规范化 JSON)。',
      parameters: [idParam],
      responses: {
        200: {
          description: '导出文件（Content-Disposition: attachment）',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['format', 'instance', 'definition', 'events', 'verification', 'headHash'],
                properties: {
                  format: { const: 'bianzhi-flow/instance-history' },
                  formatVersion: { type: 'integer' },
                  instance: { type: 'object' },
                  definition: { type: 'object', properties: { processId: { type: 'string' }, version: { type: 'integer' }, checksum: { type: 'string' } } },
                  events: { type: 'array', items: { type: 'object' } },
                  documents: { type: 'array', items: { type: 'object' } },
                  verification: { type: 'object' },
                  headHash: { type: ['string', 'null'] },
                  logHead: { type: ['object', 'null'] },
                },
              },
            },
          },
        },
        404: { $ref: '#/components/responses/NotFound' },
      },
    },
  },
  '/api/process-instances/{id}/report.pdf': {
    get: {
      tags: ['history'],
      summary: 'PDF 案卷报告（附件）：案件信息、记录核验结果与链头哈希、办理过程（时间、经办、事项、环节、内容）、出具文书',
      parameters: [idParam],
      responses: {
        200: { description: 'PDF 文件（Content-Disposition: attachment）', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
        404: { $ref: '#/components/responses/NotFound' },
        503: { description: 'REPORT_FONT_UNAVAILABLE：服务器缺少中文字体包（@embedpdf/fonts-sc），无法生成 PDF', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } },
      },
    },
  },
  '/api/audit/verify': {
    get: {
      tags: ['history'],
      summary: '核验整个审计日志的哈希链，并给出链头哈希（可在外部存证）',
      responses: { 200: dataResponse('结果', { type: 'object', properties: { intact: { type: 'boolean' }, headSeq: { type: 'integer' }, headHash: { type: 'string' } } }) },
    },
  },
});

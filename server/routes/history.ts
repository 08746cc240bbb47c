import { Router } from 'express';
import { currentUser, requirePermission } from '../core/auth';
import { dataResponse, registerPaths, registerTag } from '../openapi';
import type { HistoryService } from '../services/history';
import { pathParam, queryInt } from './query';

/** History, replay and verification of instances; verification of the whole audit log. */
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
  router.get('/audit/verify', requirePermission('history.verify'), async (_req, res) => {
    res.json({ data: await history.verifyAll() });
  });
  return router;
}

registerTag('history', '审计：历史、回放与核验');
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
  '/api/audit/verify': {
    get: {
      tags: ['history'],
      summary: '核验整个审计日志的哈希链，并给出链头哈希（可在外部存证）',
      responses: { 200: dataResponse('结果', { type: 'object', properties: { intact: { type: 'boolean' }, headSeq: { type: 'integer' }, headHash: { type: 'string' } } }) },
    },
  },
});

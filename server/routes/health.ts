import { Router } from 'express';
import { dataResponse, registerPaths } from '../openapi';
import type { HealthService } from '../services/health';

/** GET /api/health — public. */
export function healthRoutes(health: HealthService): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    res.json({ data: await health.check() });
  });
  return router;
}

registerPaths({
  '/api/health': {
    get: {
      tags: ['system'],
      summary: '健康检查（含数据库连通性）',
      security: [],
      responses: {
        200: dataResponse('正常', {
          type: 'object',
          required: ['status', 'db'],
          properties: { status: { const: 'ok' }, db: { enum: ['postgres', 'pglite'] } },
        }),
        503: { $ref: '#/components/responses/ServiceUnavailable' },
      },
    },
  },
});

import { Router } from 'express';
import { getOpenApiDocument, registerPaths } from '../openapi';

/** GET /api/openapi.json — public. */
export function openapiRoutes(): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(getOpenApiDocument());
  });
  return router;
}

registerPaths({
  '/api/openapi.json': {
    get: {
      tags: ['system'],
      summary: '本 API 的 OpenAPI 3.1 文档',
      security: [],
      responses: { 200: { description: 'OpenAPI 文档', content: { 'application/json': {} } } },
    },
  },
});

import { Router } from 'express';
import { requirePermission } from '../core/auth';
import { validator } from '../core/validate';
import { dataResponse, registerPaths, registerTag } from '../openapi';
import type { ModelingService } from '../services/modeling';
import { pathParam, queryInt } from './query';

const MAX_DIAGRAM_CHARS = 900_000; // below the 1 MB JSON body limit of the app
const lintSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'content'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    content: { type: 'string', minLength: 1, maxLength: MAX_DIAGRAM_CHARS },
  },
} as const;
const parseLint = validator<{ name: string; content: string }>(lintSchema);

/** GET /api/element-templates, GET /api/forms, GET /api/forms/:formId, POST /api/deployments/lint */
export function modelingRoutes(modeling: ModelingService): Router {
  const router = Router();
  router.get('/element-templates', requirePermission('process-definition.read'), (_req, res) => {
    res.json({ data: modeling.elementTemplates() });
  });
  router.get('/forms', requirePermission('process-definition.read'), async (_req, res) => {
    res.json({ data: await modeling.forms() });
  });
  router.get('/forms/:formId', requirePermission('process-definition.read'), async (req, res) => {
    const version = queryInt(req, 'version', { min: 1, max: 1_000_000 });
    res.json({ data: await modeling.form(pathParam(req, 'formId'), version) });
  });
  router.post('/deployments/lint', requirePermission('deployment.create'), async (req, res) => {
    const { findings } = await modeling.lint(parseLint(req.body));
    res.json({ data: { findings } });
  });
  return router;
}

const finding = {
  type: 'object',
  properties: { id: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' }, category: { type: 'string', enum: ['error', 'warn'] } },
};
const formSummary = {
  type: 'object',
  properties: { formId: { type: 'string' }, version: { type: 'integer' }, resourceName: { type: 'string' }, deployedBy: { type: 'string' }, deployedAt: { type: 'string', format: 'date-time' } },
};

registerTag('modeling', '流程建模：元素模板、表单、部署前检查');
registerPaths({
  '/api/element-templates': {
    get: { tags: ['modeling'], summary: '元素模板（processes/element-templates，Zeebe 元素模板 JSON）', responses: { 200: dataResponse('模板列表', { type: 'array', items: { type: 'object' } }) } },
  },
  '/api/forms': {
    get: { tags: ['modeling'], summary: '已部署表单（各表单的最新版本）', responses: { 200: dataResponse('表单列表', { type: 'array', items: formSummary }) } },
  },
  '/api/forms/{formId}': {
    get: {
      tags: ['modeling'],
      summary: '一个表单的 form-js 结构（默认最新版本）',
      parameters: [
        { name: 'formId', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'version', in: 'query', schema: { type: 'integer', minimum: 1 } },
      ],
      responses: {
        200: dataResponse('表单', { ...formSummary, properties: { ...formSummary.properties, schema: { type: 'object' } } }),
        404: { $ref: '#/components/responses/NotFound' },
      },
    },
  },
  '/api/deployments/lint': {
    post: {
      tags: ['modeling'],
      summary: '部署前检查（与部署相同的检查：bpmnlint + camunda-compat、嵌入式引擎支持、元素模板一致），不部署',
      requestBody: { required: true, content: { 'application/json': { schema: lintSchema } } },
      responses: {
        200: dataResponse('检查结果（category 为 error 的会阻止部署）', { type: 'object', properties: { findings: { type: 'array', items: finding } } }),
        400: { $ref: '#/components/responses/ValidationFailed' },
      },
    },
  },
});

import { Router } from 'express';
import multer from 'multer';
import { currentUser, requirePermission } from '../core/auth';
import { validationFailed } from '../core/errors';
import { dataResponse, registerPaths, registerTag } from '../openapi';
import type { ProcessDefinitionService } from '../services/process-definitions';
import { pathParam, queryInt } from './query';

const MAX_RESOURCE_BYTES = 2 * 1024 * 1024;
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_RESOURCE_BYTES, files: 50 } });

/** GET /api/process-definitions, GET /api/process-definitions/:key/xml, POST /api/deployments */
export function processDefinitionRoutes(definitions: ProcessDefinitionService): Router {
  const router = Router();
  router.get('/process-definitions', requirePermission('process-definition.read'), async (_req, res) => {
    res.json({ data: await definitions.list() });
  });
  router.get('/process-definitions/:key/versions', requirePermission('process-definition.read'), async (req, res) => {
    res.json({ data: await definitions.versions(pathParam(req, 'key')) });
  });
  router.get('/process-definitions/:key/xml', requirePermission('process-definition.read'), async (req, res) => {
    const version = queryInt(req, 'version', { min: 1, max: 1_000_000 });
    const { xml, version: found } = await definitions.xml(pathParam(req, 'key'), version);
    res.type('application/xml').setHeader('X-Process-Version', String(found));
    res.send(xml);
  });
  router.post('/deployments', requirePermission('deployment.create'), uploadResources, async (req, res) => {
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    const resources = files.map((f) => ({ name: f.originalname, content: f.buffer.toString('utf8') }));
    res.status(201).json({ data: await definitions.deploy(resources, currentUser(req)) });
  });
  return router;
}

// multer's own errors (too large, too many, wrong field) become 400 with the field named
const uploadResources: import('express').RequestHandler = (req, res, next) => {
  upload.array('resources')(req, res, (err: unknown) => {
    if (!err) return next();
    const code = (err as { code?: string }).code ?? '';
    const message = code === 'LIMIT_FILE_SIZE' ? `文件不能超过 ${MAX_RESOURCE_BYTES / 1024 / 1024} MB` : code === 'LIMIT_UNEXPECTED_FILE' ? '文件应放在字段 resources 中' : '上传的文件无法读取';
    next(validationFailed([{ field: 'resources', message }]));
  });
};

registerTag('process-definitions', '流程定义与部署');
registerPaths({
  '/api/process-definitions': {
    get: { tags: ['process-definitions'], summary: '已部署流程（各流程的最新版本）', responses: { 200: dataResponse('流程列表', { type: 'array', items: { type: 'object' } }) } },
  },
  '/api/process-definitions/{key}/versions': {
    get: {
      tags: ['process-definitions'],
      summary: '一个流程的全部版本',
      parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { 200: dataResponse('版本列表（新的在前）', { type: 'array', items: { type: 'object' } }), 404: { $ref: '#/components/responses/NotFound' } },
    },
  },
  '/api/process-definitions/{key}/xml': {
    get: {
      tags: ['process-definitions'],
      summary: '流程图 BPMN XML（默认最新版本）',
      parameters: [
        { name: 'key', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'version', in: 'query', schema: { type: 'integer', minimum: 1 } },
      ],
      responses: { 200: { description: 'BPMN XML', content: { 'application/xml': { schema: { type: 'string' } } } }, 404: { $ref: '#/components/responses/NotFound' } },
    },
  },
  '/api/deployments': {
    post: {
      tags: ['process-definitions'],
      summary: '检查（bpmnlint + camunda-compat）并部署流程图与表单；内容未变的不产生新版本',
      requestBody: {
        required: true,
        content: { 'multipart/form-data': { schema: { type: 'object', properties: { resources: { type: 'array', items: { type: 'string', format: 'binary' } } } } } },
      },
      responses: {
        201: dataResponse('部署结果', { type: 'object', properties: { processes: { type: 'array' }, forms: { type: 'array' } } }),
        400: { $ref: '#/components/responses/ValidationFailed' },
        422: { description: 'LINT_FAILED：details 为每个文件的检查结果（元素 id、规则、消息）' },
      },
    },
  },
});

// The diagrams and forms shipped in processes/ are deployed at every start; unchanged content makes
// no new version, so a restart is a no-op and an edited file becomes the next version.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/logger';
import type { DeployResource, WorkflowEngine } from './types';

export const PROCESSES_DIR = fileURLToPath(new URL('../../processes/', import.meta.url));

export async function readBundledResources(dir = PROCESSES_DIR): Promise<DeployResource[]> {
  const read = async (sub: string, pattern: RegExp) => {
    const folder = join(dir, sub);
    const names = (await readdir(folder).catch(() => [] as string[])).filter((n) => pattern.test(n)).sort();
    return Promise.all(names.map(async (name) => ({ name, content: await readFile(join(folder, name), 'utf8') })));
  };
  return [...(await read('forms', /\.form$/)), ...(await read('.', /\.bpmn$/))];
}

export async function deployBundledProcesses(engine: WorkflowEngine, log: Logger, dir = PROCESSES_DIR): Promise<void> {
  const resources = await readBundledResources(dir);
  if (!resources.length) return;
  const result = await engine.deploy(resources, { kind: 'system', id: 'bundled-processes' });
  const fresh = result.processes.filter((p) => p.isNew).map((p) => `${p.processId}@${p.version}`);
  log.info({ processes: result.processes.length, forms: result.forms.length, newVersions: fresh }, 'bundled processes deployed');
}

// The diagrams and forms shipped in processes/ are deployed at start — each file only if its exact content
// was never deployed before. So a restart is a no-op, a file changed in a code upgrade becomes the next
// version, and a version policy staff deployed from the modeler is never overwritten by the shipped one
// at the next restart (they deploy over it themselves if they want it back).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import type { Logger } from '../core/logger';
import { checksumOf } from './embedded/definitions';
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

export async function deployBundledProcesses(engine: WorkflowEngine, db: Knex, log: Logger, dir = PROCESSES_DIR): Promise<void> {
  const all = await readBundledResources(dir);
  const deployed = new Set<string>([
    ...((await db('process_definitions').distinct('checksum').pluck('checksum')) as string[]),
    ...((await db('form_definitions').distinct('checksum').pluck('checksum')) as string[]),
  ]);
  const resources = all.filter((r) => !deployed.has(checksumOf(r.content)));
  if (!resources.length) {
    log.info({ files: all.length }, 'bundled processes already deployed');
    return;
  }
  const result = await engine.deploy(resources, { kind: 'system', id: 'bundled-processes' });
  const fresh = result.processes.filter((p) => p.isNew).map((p) => `${p.processId}@${p.version}`);
  log.info({ processes: result.processes.length, forms: result.forms.length, newVersions: fresh }, 'bundled processes deployed');
}

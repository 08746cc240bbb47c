// What the job handlers are given, built the same way in the server and in `npm run workers`: the
// database, the clock, the parameter store and the document service of this district.
import type { Knex } from 'knex';
import { systemClock } from '../core/clock';
import type { Config } from '../core/config';
import type { Logger } from '../core/logger';
import { createDocumentService, type DocumentReadService, type DocumentService } from '../services/documents';
import { createParameterStore } from '../services/parameters';
import type { WorkerDeps } from '../../workers/registry';

type DistrictSettings = Pick<Config, 'districtCode' | 'districtName' | 'documentSigningSecret' | 'publicBaseUrl'>;

export function createWorkerDeps(db: Knex, config: DistrictSettings, log: Logger): WorkerDeps & { documents: DocumentService & DocumentReadService } {
  return {
    db,
    clock: systemClock,
    parameters: createParameterStore(db),
    documents: createDocumentService({
      db,
      districtCode: config.districtCode,
      districtName: config.districtName,
      signingSecret: config.documentSigningSecret,
      publicBaseUrl: config.publicBaseUrl,
      log: log.child({ component: 'documents' }),
    }),
  };
}

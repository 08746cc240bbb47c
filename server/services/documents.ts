// Generated documents (domain-spec.md §2.5): numbered without gaps, signed for QR verification, stored,
// rendered to PDF. The document service is shared by the workers (issue inside their transaction) and
// the document routes.
//
// Numbering: one counter row per district × type × year (document_sequences), incremented with
// `insert … on conflict do update … returning` in the caller's transaction, inside a savepoint with the
// document insert. The row lock serializes concurrent issues of one type and year; a rollback (of the
// savepoint or of the caller's transaction) takes the number back, so numbers have neither gaps nor
// duplicates. Callers that issue several types in one transaction should issue them in a fixed order
// (document.generate sorts them) so that two transactions never wait on each other's counters.
//
// Signing: signature = base64url(HMAC-SHA256(DOCUMENT_SIGNING_SECRET, RFC 8785 canonical JSON of
// { number, type, issuedOn, payload })). The signature is the 校验码 in the QR code; verification
// recomputes it from the stored row, so a row changed in the database no longer matches the code.
import { createHmac, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Knex } from 'knex';
import { documentTypeName, formatDocumentNumber, parseDocumentNumber, type DocumentType } from '../../domain/document-numbers';
import { isoDate, isRealDate } from '../../domain/id-number';
import type { AuthUser } from '../core/auth-user';
import { systemClock, type Clock } from '../core/clock';
import { notFound, requireUuid, validationFailed } from '../core/errors';
import type { Logger } from '../core/logger';
import { isPostgresError } from '../core/pg-errors';
import { caseScopeOf, inCaseScope, type CaseScope } from '../core/policy';
import { appendAuditEvents } from '../repositories/audit-events';
import { DOCUMENT_LAYOUTS, keyFieldsOf, renderDocumentPdf, type PrintedRow } from './document-pdf';

export interface DocumentDraft {
  type: DocumentType;
  /** the document's fields, English camelCase keys; rendered with their zh-CN labels */
  payload: Record<string, unknown>;
  instanceId?: string | null;
  unitId?: string | null;
  personId?: string | null;
  /** users.id of the 经办人, when a person issues it */
  issuedBy?: string | null;
  /** yyyy-mm-dd; default today. Its year is the number's year. */
  issuedOn?: string;
  /** a second issue with the same key returns the first document (a job may run twice) */
  idempotencyKey: string;
  /** 签发单位 in full; default DISTRICT_NAME + `office` */
  issuer?: string;
  /** the issuing office after the district name (e.g. 人力资源和社会保障局); default the type's (document-pdf.ts DOCUMENT_LAYOUTS) */
  office?: string;
  /** 经办人 as printed; default the display name of `issuedBy` */
  handler?: string;
  /** 审核人 as printed, when there is one */
  reviewer?: string;
}

export interface IssuedDocument {
  id: string;
  type: DocumentType;
  number: string;
  issuedOn: string;
  /** the path of the public verification page: /verify/<number>?c=<code> */
  verifyPath: string;
  /** the verification code (校验码) printed with the QR code */
  code: string;
}

export interface DocumentService {
  /** Issues a document inside the caller's transaction: the number and the row commit or roll back together. */
  issue(trx: Knex.Transaction, draft: DocumentDraft): Promise<IssuedDocument>;
}

/** A stored document as the API shows it to a reader in scope. */
export interface DocumentView extends IssuedDocument {
  typeName: string;
  payload: Record<string, unknown>;
  instanceId: string | null;
  unitId: string | null;
  personId: string | null;
  issuedBy: string | null;
  createdAt: string;
  /** the full URL the QR code encodes */
  verifyUrl: string;
}

/** One row of an instance's document list. */
export type DocumentSummary = Pick<DocumentView, 'id' | 'type' | 'typeName' | 'number' | 'issuedOn' | 'createdAt'>;

export type VerifyResult =
  | { status: 'valid'; document: { number: string; type: DocumentType; typeName: string; issuedOn: string; issuer: string; keyFields: PrintedRow[] } }
  | { status: 'not-found' }
  /** the row no longer matches its signature (changed after issue), or the code is not this document's */
  | { status: 'altered'; reason: 'record-changed' | 'code-mismatch' }
  | { status: 'code-missing' };

/** What the document routes use. */
export interface DocumentReadService {
  get(id: string, user: AuthUser): Promise<DocumentView>;
  listForInstance(instanceId: string, user: AuthUser): Promise<DocumentSummary[]>;
  pdf(id: string, user: AuthUser): Promise<{ fileName: string; pdf: Buffer }>;
  /** Public: whether `code` proves the document `number`. */
  verify(number: string, code: string | undefined): Promise<VerifyResult>;
}

export interface DocumentServiceOptions {
  /** for the reads; issue() uses the caller's transaction only */
  db: Knex;
  /** DISTRICT_CODE: the first part of every number */
  districtCode: string;
  /** DISTRICT_NAME: printed before the issuing office */
  districtName?: string;
  /** DOCUMENT_SIGNING_SECRET */
  signingSecret: string;
  /** PUBLIC_BASE_URL: where /verify is reached; the QR code encodes it */
  publicBaseUrl?: string;
  clock?: Clock;
  log?: Logger;
}

interface DocumentRow {
  id: string;
  number: string;
  type: string;
  payload: Record<string, unknown>;
  process_instance_id: string | null;
  unit_id: string | null;
  person_id: string | null;
  signature: string | null;
  issued_by: string | null;
  issued_on: string | null;
  seq: number | null;
  idempotency_key: string | null;
  created_at: Date | string;
}

const IDEMPOTENCY_CONSTRAINT = 'documents_idempotency_key_unique';

/** The signed content of a document: what the HMAC covers. */
export function signedContent(doc: { number: string; type: string; issuedOn: string; payload: Record<string, unknown> }): string {
  return canonicalize({ number: doc.number, type: doc.type, issuedOn: doc.issuedOn, payload: doc.payload }) ?? '';
}

export function signDocument(secret: string, doc: { number: string; type: string; issuedOn: string; payload: Record<string, unknown> }): string {
  return createHmac('sha256', secret).update(signedContent(doc)).digest('base64url');
}

const sameCode = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The payload as it reads back from jsonb: undefined dropped, dates as ISO text. */
const asStored = (payload: Record<string, unknown>): Record<string, unknown> => JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;

export function createDocumentService(options: DocumentServiceOptions): DocumentService & DocumentReadService {
  const { db, districtCode, signingSecret } = options;
  const districtName = options.districtName ?? '';
  const clock = options.clock ?? systemClock;
  const baseUrl = (options.publicBaseUrl ?? '').replace(/\/+$/, '');
  const log = options.log;
  if (!signingSecret) throw new Error('createDocumentService: signingSecret is required');
  formatDocumentNumber({ district: districtCode, type: 'YBTZ', year: 2026, seq: 1 }); // throws on a bad district code

  const verifyPathOf = (number: string, code: string) => `/verify/${encodeURIComponent(number)}?c=${encodeURIComponent(code)}`;

  const issuedOf = (row: DocumentRow): IssuedDocument => ({
    id: row.id,
    type: row.type as DocumentType,
    number: row.number,
    issuedOn: row.issued_on ?? isoDate(new Date(row.created_at)),
    verifyPath: verifyPathOf(row.number, row.signature ?? ''),
    code: row.signature ?? '',
  });

  const viewOf = (row: DocumentRow): DocumentView => {
    const issued = issuedOf(row);
    return {
      ...issued,
      typeName: documentTypeName(row.type) ?? row.type,
      payload: row.payload,
      instanceId: row.process_instance_id,
      unitId: row.unit_id,
      personId: row.person_id,
      issuedBy: row.issued_by,
      createdAt: new Date(row.created_at).toISOString(),
      verifyUrl: `${baseUrl}${issued.verifyPath}`,
    };
  };

  async function denied(user: AuthUser, action: string, instanceId: string | null, documentId: string | null): Promise<void> {
    await db.transaction((trx) =>
      appendAuditEvents(trx, [{ actor: `user:${user.username}`, kind: 'access.denied', instanceId, payload: { status: 404, action, reason: 'scope', ...(documentId ? { documentId } : {}) } }]),
    );
  }

  /** The document if the user's scope covers its unit; a document out of scope answers as a missing one. */
  async function visible(id: string, user: AuthUser): Promise<DocumentRow> {
    const row = (await db('documents').where({ id: requireUuid(id, '文书') }).first()) as DocumentRow | undefined;
    if (!row) throw notFound('文书');
    if (!inCaseScope(caseScopeOf(user), row.unit_id)) {
      await denied(user, 'document.read', row.process_instance_id, row.id);
      throw notFound('文书');
    }
    return row;
  }

  const validate = (draft: DocumentDraft): void => {
    const problems: { field: string; message: string }[] = [];
    if (!draft || typeof draft !== 'object') throw validationFailed([{ field: '/', message: '缺少文书内容' }]);
    if (documentTypeName(draft.type) === undefined) problems.push({ field: '/type', message: `文书类型代码无效：${String(draft.type)}` });
    if (typeof draft.idempotencyKey !== 'string' || draft.idempotencyKey.length === 0 || draft.idempotencyKey.length > 500) {
      problems.push({ field: '/idempotencyKey', message: '幂等键须为 1–500 个字符' });
    }
    if (draft.issuedOn !== undefined && (typeof draft.issuedOn !== 'string' || !isRealDate(draft.issuedOn))) {
      problems.push({ field: '/issuedOn', message: '签发日期格式应为 yyyy-mm-dd' });
    }
    if (!draft.payload || typeof draft.payload !== 'object' || Array.isArray(draft.payload)) problems.push({ field: '/payload', message: '文书字段须为对象' });
    if (problems.length) throw validationFailed(problems, '文书内容不符合要求');
  };

  const byKey = async (trx: Knex.Transaction, key: string) => (await trx('documents').where({ idempotency_key: key }).first()) as DocumentRow | undefined;

  return {
    async issue(trx, draft) {
      validate(draft);
      const existing = await byKey(trx, draft.idempotencyKey);
      if (existing) return issuedOf(existing);

      const issuedOn = draft.issuedOn ?? isoDate(clock());
      const year = Number(issuedOn.slice(0, 4));
      let handler = draft.handler;
      if (handler === undefined && draft.issuedBy) {
        const user = await trx('users').where({ id: draft.issuedBy }).first('display_name');
        handler = user?.display_name ?? undefined;
      }
      const office = draft.office ?? DOCUMENT_LAYOUTS[draft.type].office;
      const issuer = draft.issuer ?? (office ? `${districtName}${office}` : undefined);
      const payload = asStored({ ...draft.payload, issuer, handler, reviewer: draft.reviewer });

      try {
        // a savepoint: a failed insert gives the number back without aborting the caller's transaction
        return await trx.transaction(async (sp) => {
          const counter = await sp.raw<{ rows: Array<{ last_seq: number }> }>(
            `insert into document_sequences (district, type, year, last_seq) values (?, ?, ?, 1)
             on conflict (district, type, year) do update set last_seq = document_sequences.last_seq + 1
             returning last_seq`,
            [districtCode, draft.type, year],
          );
          const seq = Number(counter.rows[0]!.last_seq);
          const number = formatDocumentNumber({ district: districtCode, type: draft.type, year, seq });
          const signature = signDocument(signingSecret, { number, type: draft.type, issuedOn, payload });
          const [row] = (await sp('documents')
            .insert({
              number,
              type: draft.type,
              payload: JSON.stringify(payload),
              process_instance_id: draft.instanceId ?? null,
              unit_id: draft.unitId ?? null,
              person_id: draft.personId ?? null,
              signature,
              issued_by: draft.issuedBy ?? null,
              issued_on: issuedOn,
              seq,
              idempotency_key: draft.idempotencyKey,
            })
            .returning('*')) as DocumentRow[];
          return issuedOf(row!);
        });
      } catch (error) {
        // the same key issued concurrently and committed first: return that one
        if (isPostgresError(error) && error.code === '23505' && error.constraint === IDEMPOTENCY_CONSTRAINT) {
          const first = await byKey(trx, draft.idempotencyKey);
          if (first) return issuedOf(first);
        }
        throw error;
      }
    },

    async get(id, user) {
      return viewOf(await visible(id, user));
    },

    async listForInstance(instanceId, user) {
      const instance = await db('process_instances').where({ id: requireUuid(instanceId, '流程实例') }).first('id', 'variables');
      if (!instance) throw notFound('流程实例');
      const scope: CaseScope = caseScopeOf(user);
      if (!inCaseScope(scope, instance.variables?.unitId)) {
        await denied(user, 'document.read', instance.id, null);
        throw notFound('流程实例');
      }
      const query = db('documents').where({ process_instance_id: instance.id }).orderBy('created_at').orderBy('number');
      if (scope.kind === 'units') query.whereIn('unit_id', scope.unitIds);
      const rows = (await query) as DocumentRow[];
      return rows.map((row) => {
        const view = viewOf(row);
        return { id: view.id, type: view.type, typeName: view.typeName, number: view.number, issuedOn: view.issuedOn, createdAt: view.createdAt };
      });
    },

    async pdf(id, user) {
      const view = viewOf(await visible(id, user));
      const pdf = await renderDocumentPdf({ type: view.type, number: view.number, issuedOn: view.issuedOn, payload: view.payload, verifyUrl: view.verifyUrl, code: view.code });
      return { fileName: `${view.number}.pdf`, pdf };
    },

    async verify(number, code) {
      let type: DocumentType;
      try {
        type = parseDocumentNumber(number).type;
      } catch {
        return { status: 'not-found' };
      }
      const row = (await db('documents').where({ number }).first()) as DocumentRow | undefined;
      if (!row || row.type !== type) return { status: 'not-found' };
      if (code === undefined || code === '') return { status: 'code-missing' };
      const issuedOn = row.issued_on ?? '';
      const expected = signDocument(signingSecret, { number: row.number, type: row.type, issuedOn, payload: row.payload });
      if (!sameCode(expected, code)) {
        if (row.signature && sameCode(expected, row.signature)) return { status: 'altered', reason: 'code-mismatch' };
        log?.warn({ documentId: row.id, number: row.number }, 'document no longer matches its signature');
        return { status: 'altered', reason: 'record-changed' };
      }
      return {
        status: 'valid',
        document: {
          number: row.number,
          type,
          typeName: documentTypeName(type) ?? type,
          issuedOn,
          issuer: typeof row.payload.issuer === 'string' ? row.payload.issuer : '',
          keyFields: keyFieldsOf(type, row.payload),
        },
      };
    },
  };
}

// Auto-generated documents (domain-spec.md §2.5): 用编通知单 YBTZ, 入编通知单 RBTZ, 出编通知单 CBTZ, 增员审批表
// ZYSP, 减员审批表 JYSP, 调令 DL, 行政/工资关系介绍信 XZJS/GZJS, 调资表 TZB, 核拨经费通知单 HBJF (and the 用编申请表
// YBSQ). The diagram says which with the custom header `documentTypes` (comma-separated codes, e.g.
// `ZYSP,RBTZ`). All of a job's documents are issued in ONE transaction (all numbered or none), each with
// the idempotency key `${instanceId}:${elementId}:${type}`, so a job delivered twice returns the same
// documents. They are issued in code order, so two jobs never wait on each other's number counters.
//
// In (job variables; only unitId is always required):
//   unitId          uuid of units — the case's unit (documents.unit_id); reads units.name, funding_form, nature,
//                   parent (主管部门 name)
//   person          PersonInput (workers/variables.ts), and/or
//   personId        uuid of persons (reads name, gender, id_number, birth_date, post, bianzhi_type, profile);
//                   the person input wins field by field. A name is required for every document but YBTZ,
//                   YBSQ and HBJF. quotaOccupy.personId is used when personId is missing.
//   bianzhiType     编制类型 code (default the person's); required for YBTZ and YBSQ
//   quotaNotice     QuotaNotice: number → 用编通知单号, expiresOn → 有效期至, count → 核准/锁定编制数
//   quotaRequest    optional { count, useMode, post, conditions, reason } of the 用编申请
//   quotaCheck      optional QuotaCheckResult: establishment figures for YBSQ
//   entryMode       进入形式 (考录 | 招聘 | 调入 | 安置 …) · entryDate / quotaOccupy.enteredOn 入编日期 · reportDate 报到日期
//   salaryStartDate 起薪日期 · basisDocNo 依据文号
//   reason          减员原因 (CBTZ, JYSP: required) or 调动/变动原因 · eventDate 减员/事件日期 · basis 依据 · receivedOn 受理日期
//   targetUnitId    uuid of the unit a person moves to (T1), or targetUnitName / receivingUnit (J2: outside the
//                   district); without either, a transfer comes from person.previousEmployer into unitId (Z2, Z3),
//                   or from the recruitment named by entryMode (Z1). DL, XZJS, GZJS need one of these.
//   transfer        optional { docNo, reason, reportBy, validUntil } of a 调令
//   salary, insurance, subsidy, retirement   the results of the salary, insurance-base, finance and
//                   retirement steps (any shape; printed as labelled lines). salary.before/after/total/increase
//                   fill the 调资表; subsidy.annual|amount|total, monthly, months, startMonth the 核拨经费通知单;
//                   retirement.pensionStartMonth is the 停薪月份 of the 减员审批表 unless salaryStopMonth is given
//   salaryStopMonth, insuranceStopMonth, financeCutMonth, salaryPaidUntil, insurancePaidUntil (yyyy-mm)
//   reviewer        审核人 printed on the documents, when known
//   documents       IssuedDocuments of earlier steps (documents.CBTZ.number → 出编通知单号 on the 减员审批表)
// Out: `documents` = { ...documents, [type]: { id, number } } for each type issued.
// Errors: no bpmnError. Missing or invalid inputs (no unitId, an unknown unit or person, no person for a
//   person document, no 减员原因, an unknown type code): fail with 0 retries — an incident; fix the data and
//   resolve it.
import { lookupCode, type CodeTableId } from '../domain/codes';
import { DOCUMENT_TYPES, type DocumentType } from '../domain/document-numbers';
import { isUuid } from '../server/core/errors';
import type { DocumentDraft } from '../server/services/documents';
import { complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';
import type { IssuedDocuments, PersonInput, QuotaNotice } from './variables';

export const jobType = 'document.generate';

const DOCUMENT_CODES = new Set<string>(DOCUMENT_TYPES.map((t) => t.code));
/** Documents about one person: they need the person's name. */
const PERSON_DOCUMENTS = new Set<DocumentType>(['RBTZ', 'CBTZ', 'ZYSP', 'JYSP', 'DL', 'XZJS', 'GZJS', 'TZB']);
const TRANSFER_DOCUMENTS = new Set<DocumentType>(['DL', 'XZJS', 'GZJS']);

type Obj = Record<string, unknown>;

/** What the handler reads (see the header comment); every field may be missing or mistyped. */
export interface DocumentGenerateInput {
  unitId?: string;
  person?: Partial<PersonInput>;
  personId?: string;
  bianzhiType?: string;
  quotaNotice?: Partial<QuotaNotice>;
  quotaRequest?: { count?: number; useMode?: string; post?: string; conditions?: string; reason?: string };
  quotaCheck?: { establishment?: Obj; planBalance?: number | null; leaderPosts?: Obj };
  quotaOccupy?: { personId?: string; enteredOn?: string };
  entryMode?: string;
  entryDate?: string;
  reportDate?: string;
  salaryStartDate?: string;
  basisDocNo?: string;
  reason?: string;
  eventDate?: string;
  basis?: string;
  receivedOn?: string;
  targetUnitId?: string;
  targetUnitName?: string;
  /** J2 调出申请: 调往单位 */
  receivingUnit?: string;
  transfer?: { docNo?: string; reason?: string; reportBy?: string; validUntil?: string };
  salary?: Obj;
  insurance?: Obj;
  subsidy?: Obj;
  retirement?: Obj;
  salaryStopMonth?: string;
  insuranceStopMonth?: string;
  financeCutMonth?: string;
  salaryPaidUntil?: string;
  /** J 减员 forms: the last month paid (工资已发至 / 停薪月份) */
  stopMonth?: string;
  insurancePaidUntil?: string;
  reviewer?: string;
  documents?: IssuedDocuments;
}

interface UnitFacts {
  id: string;
  name: string;
  nature: string;
  fundingForm: string;
  supervisorName: string | null;
}

class InputProblem extends Error {}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' ? String(value) : undefined);
const obj = (value: unknown): Obj | undefined => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined);
/** The name of a code (性别 '1' → 男), or the value itself when it is not a code of the table. */
const named = (table: CodeTableId, value: unknown): string | undefined => {
  const code = text(value);
  return code === undefined ? undefined : (lookupCode(table, code)?.name ?? code);
};
const without = (value: Obj | undefined, keys: string[]): Obj | undefined => {
  if (!value) return undefined;
  const rest = Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
  return Object.keys(rest).length ? rest : undefined;
};

/** The document types of the header, validated, in code order. */
export function parseDocumentTypes(header: unknown): DocumentType[] {
  const codes = (typeof header === 'string' ? header : '')
    .split(',')
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean);
  if (codes.length === 0) throw new InputProblem('任务定义缺少自定义头 documentTypes（要生成的文书类型代码，逗号分隔）');
  const unknown = codes.filter((c) => !DOCUMENT_CODES.has(c));
  if (unknown.length) throw new InputProblem(`documentTypes 中有未知的文书类型代码：${unknown.join('、')}`);
  return [...new Set(codes)].sort() as DocumentType[];
}

export const createHandler = (deps: WorkerDeps): JobHandler<DocumentGenerateInput> => async (job) => {
  const v = (job.variables ?? {}) as DocumentGenerateInput;
  try {
    const types = parseDocumentTypes(job.customHeaders?.documentTypes);
    const unit = await readUnit(deps, v.unitId, 'unitId');
    const { person, personId } = await readPerson(deps, v);
    const target = v.targetUnitId !== undefined ? await readUnit(deps, v.targetUnitId, 'targetUnitId') : null;

    const drafts = types.map((type): DocumentDraft => {
      if (PERSON_DOCUMENTS.has(type) && !text(person.name)) throw new InputProblem(`生成${typeLabel(type)}需要人员信息（person 或 personId）`);
      if ((type === 'CBTZ' || type === 'JYSP') && !text(v.reason)) throw new InputProblem(`生成${typeLabel(type)}需要减员原因（reason）`);
      const bianzhiType = text(v.bianzhiType) ?? text(person.bianzhiType);
      if ((type === 'YBTZ' || type === 'YBSQ') && !bianzhiType) throw new InputProblem(`生成${typeLabel(type)}需要编制类型（bianzhiType）`);
      const facts = { v, unit, person, target, bianzhiType };
      if (TRANSFER_DOCUMENTS.has(type) && !transferEnds(facts)) {
        throw new InputProblem(`生成${typeLabel(type)}需要调动去向（targetUnitId 或 targetUnitName）或原单位（person.previousEmployer）`);
      }
      return {
        type,
        payload: payloadOf(type, facts),
        instanceId: isUuid(job.instanceId) ? job.instanceId : null,
        unitId: unit.id,
        personId: PERSON_DOCUMENTS.has(type) || type === 'HBJF' ? personId : null,
        idempotencyKey: `${job.instanceId}:${job.elementId}:${type}`,
        office: officeOf(type, unit, bianzhiType),
        reviewer: text(v.reviewer),
      };
    });

    const issued = await deps.db.transaction(async (trx) => {
      const out: IssuedDocuments = {};
      for (const draft of drafts) {
        const doc = await deps.documents.issue(trx, draft);
        out[draft.type] = { id: doc.id, number: doc.number };
      }
      return out;
    });
    job.log.info({ documents: Object.values(issued).map((d) => d.number) }, 'documents issued');
    return complete({ documents: { ...(obj(v.documents) ?? {}), ...issued } });
  } catch (error) {
    if (error instanceof InputProblem) return fail({ message: `无法生成文书：${error.message}`, retries: 0 });
    throw error;
  }
};

const typeLabel = (type: DocumentType): string => DOCUMENT_TYPES.find((t) => t.code === type)!.name;

async function readUnit(deps: WorkerDeps, id: unknown, field: string): Promise<UnitFacts> {
  if (!isUuid(id)) throw new InputProblem(`缺少或无效的单位（${field}）`);
  const row = await deps.db('units as u').leftJoin('units as p', 'p.id', 'u.parent_unit_id').where('u.id', id).first('u.id', 'u.name', 'u.nature', 'u.funding_form', 'p.name as parent_name');
  if (!row) throw new InputProblem(`单位不存在（${field}）`);
  return { id: row.id, name: row.name, nature: row.nature, fundingForm: row.funding_form, supervisorName: row.parent_name ?? null };
}

/** The person: the persons row (when personId is given) overlaid with the person input. */
async function readPerson(deps: WorkerDeps, v: DocumentGenerateInput): Promise<{ person: Partial<PersonInput> & { bianzhiType?: string }; personId: string | null }> {
  const input = obj(v.person) ?? {};
  const id = text(v.personId) ?? text(obj(v.quotaOccupy)?.personId);
  if (id === undefined) return { person: input as Partial<PersonInput>, personId: null };
  if (!isUuid(id)) throw new InputProblem('无效的人员（personId）');
  const row = await deps.db('persons').where({ id }).first('id', 'name', 'gender', 'id_number', 'birth_date', 'post', 'bianzhi_type', 'profile');
  if (!row) throw new InputProblem('人员不存在（personId）');
  const fromRow: Obj = {
    ...(obj(row.profile) ?? {}),
    name: row.name,
    gender: row.gender,
    idNumber: row.id_number,
    birthDate: row.birth_date,
    post: row.post ?? undefined,
    bianzhiType: row.bianzhi_type ?? undefined,
  };
  const defined = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined && value !== null && value !== ''));
  return { person: { ...fromRow, ...defined } as Partial<PersonInput>, personId: row.id };
}

interface Facts {
  v: DocumentGenerateInput;
  unit: UnitFacts;
  person: Partial<PersonInput> & { bianzhiType?: string };
  target: UnitFacts | null;
  bianzhiType: string | undefined;
}

/**
 * 调出单位 → 调入单位: from the case's unit to the target (T1; J2's 调往单位 receivingUnit), from the 原单位
 * into the unit (Z2, Z3), or — a new recruit (Z1) — from the recruitment (进入形式) into the unit.
 */
function transferEnds({ v, unit, person, target }: Facts): { from: string; to: string } | null {
  const targetName = target?.name ?? text(v.targetUnitName) ?? text(v.receivingUnit);
  if (targetName) return { from: unit.name, to: targetName };
  const previous = text(person.previousEmployer);
  if (previous) return { from: previous, to: unit.name };
  const entryMode = text(v.entryMode);
  return entryMode ? { from: `新录用人员（${entryMode}）`, to: unit.name } : null;
}

/** 调令/介绍信: 组织部 for 公务员 and 参公 (行政/政法编制, 参公单位), 人社局 for 事业 and 工勤 staff; 工资介绍信: 人社工资科. */
function officeOf(type: DocumentType, unit: UnitFacts, bianzhiType: string | undefined): string | undefined {
  if (type !== 'DL' && type !== 'XZJS') return undefined;
  const civilServant = bianzhiType === 'XZ' || bianzhiType === 'ZF' || unit.nature === 'organ' || unit.nature === 'institution_cs';
  return civilServant ? '委组织部' : '人力资源和社会保障局';
}

function personBlock(p: Facts['person']): Obj {
  return {
    name: text(p.name),
    gender: named('gender', p.gender),
    idNumber: text(p.idNumber),
    birthDate: text(p.birthDate),
    ethnicity: text(p.ethnicity),
    politicalStatus: named('politicalStatus', p.politicalStatus),
    education: named('education', p.education),
    degree: named('degree', p.degree),
    school: text(p.school),
    major: text(p.major),
    graduationDate: text(p.graduationDate),
    workStartDate: text(p.workStartDate),
  };
}

/** The §2.5 fields of one document from the job's facts (keys as in document-pdf.ts DOCUMENT_LAYOUTS). */
function payloadOf(type: DocumentType, facts: Facts): Obj {
  const { v, unit, person, target } = facts;
  const bianzhiType = named('bianzhiType', facts.bianzhiType);
  const notice = obj(v.quotaNotice) as Partial<QuotaNotice> | undefined;
  const request = obj(v.quotaRequest) as DocumentGenerateInput['quotaRequest'];
  const transfer = (obj(v.transfer) ?? {}) as NonNullable<DocumentGenerateInput['transfer']>;
  const salary = obj(v.salary);
  const insurance = obj(v.insurance);
  const subsidy = obj(v.subsidy);
  const retirement = obj(v.retirement);
  const entryDate = text(v.entryDate) ?? text(obj(v.quotaOccupy)?.enteredOn);
  const ends = transferEnds(facts);
  const p = personBlock(person);
  switch (type) {
    case 'YBSQ': {
      const e = obj(v.quotaCheck?.establishment) ?? {};
      return {
        unitName: unit.name, supervisorName: unit.supervisorName ?? undefined, unitNature: named('unitNature', unit.nature), fundingForm: named('fundingForm', unit.fundingForm),
        bianzhiType, approved: e.approved, actual: e.actual, vacant: e.vacant, planBalance: v.quotaCheck?.planBalance ?? undefined,
        requested: request?.count, useMode: text(request?.useMode) ?? text(v.entryMode), post: text(request?.post), conditions: text(request?.conditions), reason: text(request?.reason),
      };
    }
    case 'YBTZ':
      return {
        unitName: unit.name, bianzhiType, approvedCount: notice?.count ?? request?.count, useMode: text(request?.useMode) ?? text(v.entryMode), post: text(request?.post),
        validUntil: text(notice?.expiresOn), conditions: text(request?.conditions), lockedCount: notice?.count,
      };
    case 'RBTZ':
      return {
        name: p.name, gender: p.gender, idNumber: p.idNumber, birthDate: p.birthDate, ethnicity: p.ethnicity, politicalStatus: p.politicalStatus, education: p.education, degree: p.degree,
        quotaNoticeNumber: text(notice?.number), entryMode: text(v.entryMode), previousEmployer: text(person.previousEmployer), unitName: unit.name, bianzhiType,
        post: text(person.post), entryDate, basisDocNo: text(v.basisDocNo),
      };
    case 'ZYSP':
      return {
        ...p,
        entryMode: text(v.entryMode), previousEmployer: text(person.previousEmployer), quotaNoticeNumber: text(notice?.number), unitName: unit.name, bianzhiType,
        fundingForm: named('fundingForm', unit.fundingForm), post: text(person.post), entryDate, reportDate: text(v.reportDate), salaryStartDate: text(v.salaryStartDate),
        salary, insurance, subsidy,
      };
    case 'CBTZ':
      return {
        unitName: unit.name, name: p.name, idNumber: p.idNumber, bianzhiType, reason: text(v.reason), eventDate: text(v.eventDate),
        targetUnitName: target?.name ?? text(v.targetUnitName) ?? text(v.receivingUnit), basis: text(v.basis), receivedOn: text(v.receivedOn),
      };
    case 'JYSP':
      return {
        name: p.name, gender: p.gender, idNumber: p.idNumber, birthDate: p.birthDate, unitName: unit.name, bianzhiType, post: text(person.post),
        reason: text(v.reason), eventDate: text(v.eventDate) ?? text(retirement?.retirementDate),
        salaryStopMonth: text(v.salaryStopMonth) ?? text(retirement?.pensionStartMonth), insuranceStopMonth: text(v.insuranceStopMonth), financeCutMonth: text(v.financeCutMonth),
        exitNoticeNumber: text(obj(v.documents?.CBTZ)?.number),
        retirement: retirement ? { retirementType: retirement.retirementType, retirementDate: retirement.retirementDate, pensionStartMonth: retirement.pensionStartMonth } : undefined,
      };
    case 'DL':
    case 'XZJS':
      return {
        docNo: text(transfer.docNo), fromUnitName: ends?.from, toUnitName: ends?.to, name: p.name, gender: p.gender, birthMonth: p.birthDate?.toString().slice(0, 7),
        politicalStatus: p.politicalStatus, previousPost: text(person.post), reason: text(transfer.reason) ?? text(v.reason), reportBy: text(transfer.reportBy), validUntil: text(transfer.validUntil),
      };
    case 'GZJS':
      return {
        name: p.name, workStartDate: p.workStartDate, fromUnitName: ends?.from, toUnitName: ends?.to, post: text(person.post) ?? text(salary?.post), grade: salary?.grade,
        payItems: salary?.items ?? salary?.payItems, salaryPaidUntil: text(v.salaryPaidUntil) ?? text(salary?.paidUntil) ?? text(v.stopMonth), insurancePaidUntil: text(v.insurancePaidUntil) ?? text(insurance?.paidUntil),
        gradingStartYear: salary?.gradingStartYear,
      };
    case 'TZB':
      return {
        name: p.name, unitName: unit.name, reason: text(salary?.reason) ?? text(v.reason), effectiveFrom: text(salary?.effectiveFrom) ?? text(salary?.startMonth) ?? text(v.salaryStartDate),
        before: salary?.before, after: salary?.after, total: salary?.total, increase: salary?.increase,
      };
    case 'HBJF':
      return {
        unitName: unit.name, fundingForm: named('fundingForm', unit.fundingForm), name: p.name, idNumber: p.idNumber, bianzhiType,
        startMonth: text(subsidy?.startMonth), months: subsidy?.months, annualAmount: subsidy?.annual ?? subsidy?.amount ?? subsidy?.total, monthlyAmount: subsidy?.monthly,
        subsidy: without(subsidy, ['startMonth', 'months', 'annual', 'amount', 'total', 'monthly']),
      };
  }
}

export const worker: WorkerDefinition = { jobType, createHandler };

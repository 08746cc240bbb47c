// person.validate — the person record at 落编申请 / 调入 / 安置 / 调整 (domain-spec.md §7.1, §7.2, §7.4 V1–V12).
// The rules are domain/person-validation.ts (pure); this handler loads what they need — the unit's nature, the
// parameters in force — and adds V7 一人一编, which needs the database.
//
// Variables in:  person (PersonInput), unitId, bianzhiType, entryMode?, enteredOn? (增员日期 for V5/V6; default today)
// Header mode:   recruit (Z1, default: V6 age ceiling) | transfer-in (Z2) | placement (Z3) | adjust (T1–T3: the
//                person is already 在编, so V5 and V7 are skipped)
// Variables out: personCheck { errors: [], warnings, unchecked }
// BPMN errors:   PERSON_INVALID — one or more E-level findings; the message lists them, variables { personCheck }
// Failures:      invalid input (no person object, unknown unit) → fail with retries 0
import { isUuid } from '../server/core/errors';
import { isRealDate, isoDate } from '../domain/id-number';
import { NAME_LENGTH, RECRUIT_AGE_MAX, type RecruitAgeMax } from '../domain/parameters/person';
import type { StatutoryAgeRules } from '../domain/parameters/retirement';
import { VALIDATION_MODES, validatePerson, type ValidationMode } from '../domain/person-validation';
import { findActiveByIdNumber } from '../server/repositories/persons';
import { findUnit } from '../server/repositories/quotas';
import { bpmnError, complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';
import type { PersonCheck, PersonInput } from './variables';

export const jobType = 'person.validate';

export const RETIREMENT_RULES = 'retirement.statutory-age';

export interface PersonValidateInput {
  person?: PersonInput | null;
  unitId?: unknown;
  bianzhiType?: unknown;
  entryMode?: unknown;
  enteredOn?: unknown;
}

export const createHandler =
  (deps: WorkerDeps): JobHandler<PersonValidateInput> =>
  async (job) => {
    const v = job.variables ?? {};
    const mode = (job.customHeaders?.mode ?? 'recruit') as ValidationMode;
    if (!VALIDATION_MODES.includes(mode)) return fail({ message: `person.validate 的 mode 头无效：${String(mode)}`, retries: 0 });
    const person = v.person;
    if (!person || typeof person !== 'object' || Array.isArray(person)) return fail({ message: '缺少变量 person（人员信息）', retries: 0 });
    if (!isUuid(v.unitId)) return fail({ message: '变量 unitId 须为单位 id (uuid)', retries: 0 });
    const today = isoDate(deps.clock());
    const onDate = typeof v.enteredOn === 'string' && isRealDate(v.enteredOn) ? v.enteredOn : today;
    const unit = await findUnit(deps.db, v.unitId);
    if (!unit) return fail({ message: `单位不存在：${v.unitId}`, retries: 0 });

    const [retirement, ageMax, nameLength] = await Promise.all([
      deps.parameters.get<StatutoryAgeRules>(RETIREMENT_RULES, onDate),
      deps.parameters.get<RecruitAgeMax>(RECRUIT_AGE_MAX, onDate),
      deps.parameters.get<{ min: number; max: number }>(NAME_LENGTH, onDate),
    ]);
    const result = validatePerson({
      person,
      mode,
      bianzhiType: v.bianzhiType,
      unitNature: unit.nature,
      entryMode: v.entryMode,
      today,
      onDate,
      retirementRules: retirement.value,
      recruitAgeMax: ageMax.value,
      nameLength: nameLength.value,
    });

    // V7 一人一编: no other active record of this ID number anywhere (增员 only: in adjust the person is 在编)
    if (mode !== 'adjust' && typeof person.idNumber === 'string' && !result.errors.some((e) => e.field === 'idNumber')) {
      const active = await findActiveByIdNumber(deps.db, person.idNumber.trim().toUpperCase());
      if (active) {
        const where = active.unit_id === unit.id ? '本单位' : '其他单位';
        result.errors.push({ rule: 'V7', field: 'idNumber', message: `一人一编：该公民身份号码已在${where}在编，须先办理出编` });
      }
    }

    const personCheck: PersonCheck = result;
    if (result.errors.length > 0) {
      const list = result.errors.map((e, i) => `${i + 1}. [${e.rule}] ${e.message}`).join('；');
      return bpmnError('PERSON_INVALID', `人员信息校验未通过（${result.errors.length} 项）：${list}`, { personCheck });
    }
    return complete({ personCheck });
  };

export const worker: WorkerDefinition = { jobType, createHandler };

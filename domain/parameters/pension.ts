/**
 * Pension parameters, domain-spec.md §5.2–§5.4. Data, not code: versioned records (see Parameter in
 * ./retirement). Callers pick the version (province, year) and pass the values to domain/pension.ts.
 */
import type { Parameter } from './retirement';

/** 计发月数 M(age) of 国发〔2005〕38号, ages 40–70 in completed years (§5.3). */
export type MonthsOfPaymentTable = Readonly<Record<number, number>>;

export interface PensionParameters {
  /** C_r: 上年度全省在岗职工月平均工资 (计发基数), yuan a month */
  averageWage: number;
  /** δ: 过渡系数 of the province, e.g. 0.012 for 1.2 % */
  transitionCoefficient: number;
  /** the accepted range of δ, inclusive */
  transitionCoefficientRange: readonly [number, number];
  monthsOfPayment: MonthsOfPaymentTable;
  /** 'floor': M(completed years) (the spec's default); 'linear': interpolate by the extra months */
  monthsInterpolation: 'floor' | 'linear';
  /** the reform date: retired before it = 老人, started work on or after it = 新人, else 中人 (yyyy-mm-dd) */
  reformDate: string;
}

const M = [233, 230, 226, 223, 220, 216, 212, 208, 204, 199, 195, 190, 185, 180, 175, 170, 164, 158, 152, 145, 139, 132, 125, 117, 109, 101, 93, 84, 75, 65, 56];

export const monthsOfPaymentTables: Parameter<MonthsOfPaymentTable>[] = [
  {
    key: 'pension.months-of-payment',
    version: '国发〔2005〕38号',
    validFrom: '2006-01-01',
    status: 'B',
    source: 'S17 计发月数表 (public calculators, identical values); check against 国发〔2005〕38号 before go-live',
    value: Object.fromEntries(M.map((months, i) => [40 + i, months])),
  },
];

export const monthsInterpolations: Parameter<'floor' | 'linear'>[] = [
  { key: 'pension.months-interpolation', version: 'default', validFrom: '2025-01-01', status: 'C', source: 'domain-spec §5.3 [C]: national rule for fractional ages not found', value: 'floor' },
];

/** No figure in the spec: a placeholder for tests and previews. Load the province's published 计发基数 per year. */
export const averageWages: Parameter<number>[] = [
  { key: 'pension.average-wage', version: 'placeholder', validFrom: '2025-01-01', status: 'C', source: 'placeholder, not a published figure (domain-spec §5.2: parameters C)', value: 8000 },
];

export const transitionCoefficients: Parameter<{ value: number; range: readonly [number, number] }>[] = [
  {
    key: 'pension.transition-coefficient',
    version: 'default',
    validFrom: '2014-10-01',
    status: 'C',
    source: 'domain-spec §5.2: δ provincial; range 1.0 %–1.4 % [B, public calculators]; 1.2 % is a proposed default [C]',
    value: { value: 0.012, range: [0.01, 0.014] },
  },
];

export const reformDates: Parameter<string>[] = [
  { key: 'pension.reform-date', version: '2014-10-01', validFrom: '2014-10-01', status: 'A', source: 'domain-spec §4 (机关事业单位 since 2014-10-01), §5.2 (S18), §5.4', value: '2014-10-01' },
];

/** The parameters for tests and previews (averageWage is a placeholder). */
export const defaultPensionParameters: PensionParameters = {
  averageWage: averageWages[0]!.value,
  transitionCoefficient: transitionCoefficients[0]!.value.value,
  transitionCoefficientRange: transitionCoefficients[0]!.value.range,
  monthsOfPayment: monthsOfPaymentTables[0]!.value,
  monthsInterpolation: monthsInterpolations[0]!.value,
  reformDate: reformDates[0]!.value,
};

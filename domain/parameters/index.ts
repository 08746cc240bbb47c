/**
 * Every built-in parameter default, in one list. At start these become version rows of the
 * `parameters` table when the key has none yet; from then on an administrator changes a value by adding
 * a version (the built-in list never overwrites the table). Add a topic's arrays here.
 */
import type { Parameter } from './retirement';
import { averageWages, monthsInterpolations, monthsOfPaymentTables, reformDates, transitionCoefficients } from './pension';
import { statutoryAgeRules } from './retirement';
import { workingDayCalendars } from './calendar';
import { INSURANCE_PARAMETER_DEFAULTS } from './insurance';
import { personParameterDefaults } from './person';
import { quotaParameterDefaults } from './quota';
import { SALARY_PARAMETER_DEFAULTS } from './salary';
import { SUBSIDY_PARAMETER_DEFAULTS } from './subsidy';
import { retirementAlertMonths, timeLimitDays } from './time-limits';

export type { Parameter };

export const PARAMETER_DEFAULTS: readonly Parameter<unknown>[] = [
  ...statutoryAgeRules,
  ...monthsOfPaymentTables,
  ...monthsInterpolations,
  ...averageWages,
  ...transitionCoefficients,
  ...reformDates,
  ...workingDayCalendars,
  ...timeLimitDays,
  ...retirementAlertMonths,
  ...SALARY_PARAMETER_DEFAULTS,
  ...INSURANCE_PARAMETER_DEFAULTS,
  ...SUBSIDY_PARAMETER_DEFAULTS,
  ...quotaParameterDefaults,
  ...personParameterDefaults,
];

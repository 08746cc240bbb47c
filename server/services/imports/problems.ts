// A problem found in an import file: where (sheet, row as the spreadsheet shows it, column header and
// letter), what (a code and a zh-CN message), how bad (an error blocks the apply, a warning does not).
// Messages name rows and codes, never the personal data of the row (the problems are stored).

export interface ProblemColumn {
  header: string;
  /** the column letter in the file; null when the column is missing */
  letter: string | null;
}

export interface Problem {
  level: 'error' | 'warning';
  code: string;
  sheet: string;
  row: number;
  column: ProblemColumn | null;
  message: string;
}

/** How many problems are stored with an import and answered (the counts are always complete). */
export const PROBLEM_CAP = 5000;

export function countProblems(problems: readonly Problem[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const p of problems) if (p.level === 'error') errors += 1;
  return { errors, warnings: problems.length - errors };
}

/** Sheet order of the file's kinds, then row, then column letter: the order a clerk fixes them in. */
export function sortProblems(problems: Problem[], sheetOrder: readonly string[]): Problem[] {
  const rank = (s: string) => {
    const i = sheetOrder.indexOf(s);
    return i < 0 ? sheetOrder.length : i;
  };
  const letter = (p: Problem) => p.column?.letter ?? '';
  return problems.sort(
    (a, b) => rank(a.sheet) - rank(b.sheet) || a.row - b.row || letter(a).length - letter(b).length || letter(a).localeCompare(letter(b)) || a.code.localeCompare(b.code),
  );
}

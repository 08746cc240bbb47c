/**
 * Password policy for accounts that are not demo accounts (demo accounts share the public password
 * "demo" and can sign in only in demo mode): at least 10 characters, letters and digits both, and
 * not containing the username. Returns field errors with stable codes; empty when the password passes.
 */
export const PASSWORD_MIN_LENGTH = 10;

export interface PasswordProblem {
  field: '/password';
  code: 'PASSWORD_TOO_SHORT' | 'PASSWORD_NEEDS_LETTERS_AND_DIGITS' | 'PASSWORD_CONTAINS_USERNAME';
  message: string;
}

export function passwordProblems(password: string, username: string): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    problems.push({ field: '/password', code: 'PASSWORD_TOO_SHORT', message: `密码至少 ${PASSWORD_MIN_LENGTH} 位` });
  }
  if (!/\p{L}/u.test(password) || !/\p{Nd}/u.test(password)) {
    problems.push({ field: '/password', code: 'PASSWORD_NEEDS_LETTERS_AND_DIGITS', message: '密码须同时包含字母和数字' });
  }
  if (username.length > 0 && password.toLowerCase().includes(username.toLowerCase())) {
    problems.push({ field: '/password', code: 'PASSWORD_CONTAINS_USERNAME', message: '密码不能包含用户名' });
  }
  return problems;
}

// The signed-in user of this browser tab: the API token and who it belongs to, in sessionStorage
// (gone when the tab closes). Pages call requireUser() first; without a session they go to login.
import type { AuthUser } from '../../../server/core/auth-user';

const TOKEN_KEY = 'bianzhi-flow.token';

/** GET /api/me */
export interface CurrentUser extends AuthUser {
  /** the policy's actions this user may perform */
  actions: string[];
}

export const readToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const storeToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const clearSession = (): void => sessionStorage.removeItem(TOKEN_KEY);

export function redirectToLogin(): void {
  const here = location.pathname + location.search;
  location.assign(here === '/' ? '/' : `/?next=${encodeURIComponent(here)}`);
}

export const can = (user: Pick<CurrentUser, 'actions'>, action: string): boolean => user.actions.includes(action);

// Every page after login: checks the session, draws the header with the menu this user may use
// (built from the actions GET /api/me returns, so the policy stays the one place that decides) and
// hands the page its main area.
import { api, ApiError } from './api';
import { clear, h, message } from './dom';
import { can, clearSession, readToken, redirectToLogin, type CurrentUser } from './session';

export interface MenuItem {
  href: string;
  label: string;
  /** shown to users who may perform this action */
  action: string;
}

export const MENU: readonly MenuItem[] = [
  { href: '/inbox', label: '待办', action: 'task.read' },
  { href: '/modeler', label: '流程建模', action: 'process-definition.read' },
  { href: '/dashboard', label: '统计看板', action: 'stats.read' },
];

export interface PageContext {
  user: CurrentUser;
  /** the page's own area below the header */
  main: HTMLElement;
}

/** Loads the signed-in user or sends the browser to login; draws the shell; `active` marks the menu entry. */
export async function startPage(active: string, options: { requires?: string } = {}): Promise<PageContext | null> {
  const root = document.getElementById('app')!;
  if (!readToken()) {
    redirectToLogin();
    return null;
  }
  let user: CurrentUser;
  try {
    user = await api.get<CurrentUser>('/api/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null; // already on the way to login
    clear(root);
    root.append(message('error', (error as Error).message));
    return null;
  }
  clear(root);
  root.append(header(user, active));
  const main = h('main', { class: 'page', id: 'main' });
  root.append(main);
  if (options.requires && !can(user, options.requires)) {
    main.append(message('error', '您的账号无权使用此页面'));
    return null;
  }
  return { user, main };
}

function header(user: CurrentUser, active: string): HTMLElement {
  const items = MENU.filter((item) => can(user, item.action));
  return h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '/' }, '编制流程'),
    h('nav', { class: 'menu', 'aria-label': '主菜单' }, ...items.map((item) => h('a', { href: item.href, class: item.href === active ? 'active' : null, 'aria-current': item.href === active ? 'page' : null }, item.label))),
    h('span', { class: 'who', title: user.roles.join(', ') }, user.displayName || user.username),
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        onclick: async () => {
          await api.delete('/api/session').catch(() => undefined);
          clearSession();
          location.assign('/');
        },
      },
      '退出',
    ),
  );
}

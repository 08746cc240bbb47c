// `/`: the login form; once signed in, the menu of the pages this user may use and the recent cases.
import type { InstanceListItem } from '../../../server/repositories/process-instances';
import '../shared/base.css';
import { api, ApiError } from '../shared/api';
import { clear, formatTime, h, message } from '../shared/dom';
import { readToken, storeToken } from '../shared/session';
import { MENU, startPage } from '../shared/shell';

const STATE_LABELS: Record<string, string> = { active: '办理中', completed: '已办结', terminated: '已终止', canceled: '已撤销' };

const nextPath = (): string => {
  const next = new URLSearchParams(location.search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
};

function showLogin(): void {
  const root = document.getElementById('app')!;
  clear(root);
  const status = h('div', { 'aria-live': 'polite' });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, '登录');
  const form = h(
    'form',
    { class: 'login', novalidate: true },
    h('h1', {}, '编制流程 · 登录'),
    h('label', { for: 'username' }, '用户名'),
    username,
    h('label', { for: 'password' }, '密码'),
    password,
    submit,
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(status);
    if (!username.value.trim() || !password.value) {
      status.append(message('error', '请输入用户名和密码'));
      return;
    }
    submit.disabled = true;
    try {
      const session = await api.post<{ token: string }>('/api/session', { username: username.value.trim(), password: password.value });
      storeToken(session.token);
      const next = nextPath();
      if (next === '/') await showHome();
      else location.assign(next);
    } catch (error) {
      status.append(message('error', error instanceof ApiError ? error.message : '登录失败，请重试'));
    } finally {
      submit.disabled = false;
    }
  });
  root.append(form);
  username.focus();
}

async function showHome(): Promise<void> {
  const page = await startPage('/');
  if (!page) return;
  const { user, main } = page;
  main.append(h('h1', {}, `您好，${user.displayName || user.username}`));
  const items = MENU.filter((item) => user.actions.includes(item.action));
  main.append(h('nav', { class: 'cards', 'aria-label': '功能' }, ...items.map((item) => h('a', { class: 'card', href: item.href }, h('strong', {}, item.label)))));
  if (!user.actions.includes('process-instance.read')) return;
  const list = h('section', { 'aria-label': '最近的案件' }, h('h2', {}, '最近的案件'));
  main.append(list);
  try {
    const instances = await api.get<InstanceListItem[]>('/api/process-instances?pageSize=20');
    if (!instances.length) {
      list.append(h('p', { class: 'muted' }, '暂无案件'));
      return;
    }
    list.append(
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', {}, '案件'), h('th', {}, '流程'), h('th', {}, '状态'), h('th', {}, '开始时间'))),
        h(
          'tbody',
          {},
          ...instances.map((i) =>
            h(
              'tr',
              {},
              h('td', {}, h('a', { href: `/instances/${i.id}` }, i.businessKey ?? i.id.slice(0, 8))),
              h('td', {}, `${i.processId} v${i.version}`),
              h('td', {}, STATE_LABELS[i.state] ?? i.state),
              h('td', {}, formatTime(i.createdAt)),
            ),
          ),
        ),
      ),
    );
  } catch (error) {
    list.append(message('error', (error as Error).message));
  }
}

if (readToken()) void showHome();
else showLogin();

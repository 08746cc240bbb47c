// The login page and the role-aware menu, in Debian's chromium.
import assert from 'node:assert/strict';
import { openBrowser, login, requireChromium, screenshot, startWebServer, type BrowserSession, type WebServer } from './browser';

describe('web: login and menu (chromium)', function () {
  this.timeout(180_000);
  let server: WebServer;
  let session: BrowserSession;

  before(async function () {
    requireChromium(this);
    server = await startWebServer('web-login');
    session = await openBrowser(server.baseUrl);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
  });

  it('refuses a wrong password with a message in Chinese and stays on the login form', async () => {
    const { page } = session;
    await page.goto('/');
    await page.getByLabel('用户名').fill('auditor');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /用户名或密码/);
  });

  it('shows each user the pages their role may use', async () => {
    const { page } = session;
    await login(page, 'auditor');
    const auditorMenu = await page.getByRole('navigation', { name: '主菜单' }).getByRole('link').allInnerTexts();
    await screenshot(page, 'login-auditor-menu');
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByLabel('用户名').waitFor();

    await login(page, 'unit-U001');
    const unitMenu = await page.getByRole('navigation', { name: '主菜单' }).getByRole('link').allInnerTexts();
    assert.deepEqual(auditorMenu, ['待办', '流程建模', '统计看板']);
    assert.ok(unitMenu.includes('待办') && !unitMenu.includes('统计看板'), `a unit clerk sees no district statistics: ${unitMenu}`);
  });

  it('sends a page opened without a session to login and back to the page afterwards', async () => {
    const { page } = session;
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByLabel('用户名').waitFor();
    await page.goto('/dashboard');
    await page.waitForURL(/\/\?next=%2Fdashboard/);
    await page.getByLabel('用户名').fill('auditor');
    await page.getByLabel('密码').fill('demo');
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/dashboard$/);
    assert.deepEqual(session.foreignRequests, [], 'no request leaves the server');
  });
});

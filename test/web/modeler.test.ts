// The modeler page in Debian's chromium against the real server (demo mode): a policy editor changes Z1
// in the browser — a 主管部门 approval step from the element template — and deploys it; the running server
// starts the next case on the new version while a case started before stays on the old one. A diagram
// with a lint error is refused and the finding is drawn on its element.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { Z1_APPLICATION } from '../processes/harness';
import { login, openBrowser, requireChromium, screenshot, startWebServer, type BrowserSession, type WebServer } from './browser';

const Z1 = 'staff-add-recruitment';
const CLERK = 'unit-U003'; // 示范区第一中学, under 教育和体育局 (U002), its 主管部门
const SUPERVISOR = 'unit-U002';
const NEW_STEP = 'Task_SupervisorReview';
const WAIT_MS = 30_000;

interface Instance {
  id: string;
  version: number;
  state: string;
  openElements: Array<{ elementId: string; kind: string }>;
}

describe('web: modeler (chromium)', function () {
  this.timeout(240_000);
  let server: WebServer;
  let session: BrowserSession;
  const tokens = new Map<string, string>();

  async function call<T>(username: string, method: string, path: string, body?: unknown): Promise<T> {
    let token = tokens.get(username);
    if (!token) {
      const res = await fetch(`${server.baseUrl}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: 'demo' }) });
      assert.ok(res.ok, `login ${username}: ${res.status}`);
      token = ((await res.json()) as { data: { token: string } }).data.token;
      tokens.set(username, token);
    }
    const res = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path} as ${username}: ${res.status} ${text}`);
    return (text ? (JSON.parse(text) as { data: T }).data : undefined) as T;
  }

  /** Polls the instance until `done` holds (the workers run in the server, asynchronously). */
  async function instanceWhen(id: string, done: (i: Instance) => boolean, what: string): Promise<Instance> {
    const until = Date.now() + WAIT_MS;
    let last: Instance | undefined;
    while (Date.now() < until) {
      last = await call<Instance>('admin', 'GET', `/api/process-instances/${id}`);
      if (done(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`instance ${id} never ${what}: ${JSON.stringify(last)}`);
  }
  const openUserTasks = (i: Instance) => i.openElements.filter((e) => e.kind === 'userTask').map((e) => e.elementId);
  const waitsAt = (elementId: string) => (i: Instance) => openUserTasks(i).includes(elementId);

  async function startZ1(): Promise<string> {
    const me = await call<{ unitId: string }>(CLERK, 'GET', '/api/me');
    const started = await call<{ id: string }>(CLERK, 'POST', '/api/process-instances', { processKey: Z1, variables: { unitId: me.unitId } });
    return started.id;
  }

  /** The open Z1 tasks in a user's inbox (GET /api/tasks). */
  async function inbox(username: string): Promise<Array<{ id: string; instanceId: string; elementId: string }>> {
    return call<Array<{ id: string; instanceId: string; elementId: string }>>(username, 'GET', `/api/tasks?processKey=${Z1}&state=created&pageSize=100`);
  }

  /** The unit clerk submits 用编申请 through the API: claim and complete with the application. */
  async function submitApplication(instanceId: string): Promise<void> {
    const list = await inbox(CLERK);
    const task = list.find((t) => t.instanceId === instanceId && t.elementId === 'Task_ApplyQuotaUse');
    assert.ok(task, `用编申请 of ${instanceId} in ${CLERK}'s inbox: ${JSON.stringify(list)}`);
    await call(CLERK, 'POST', `/api/tasks/${task.id}/claim`, {});
    await call(CLERK, 'POST', `/api/tasks/${task.id}/complete`, { variables: Z1_APPLICATION });
  }

  /** Screen position of a point `along` diagram units into a sequence flow (geometry read from the SVG). */
  async function pointOnFlow(page: Page, flowId: string, along: number): Promise<{ x: number; y: number }> {
    return page.evaluate(`(() => {
      const path = document.querySelector('g[data-element-id="${flowId}"] .djs-visual > path');
      const p = path.getPointAtLength(${along});
      const m = path.getScreenCTM();
      return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
    })()`);
  }

  const lintSummary = (page: Page) => page.locator('.mp-lint-summary');

  before(async function () {
    requireChromium(this);
    server = await startWebServer('web-modeler');
    session = await openBrowser(server.baseUrl);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) await screenshot(session.page, `modeler-failed-${this.currentTest.title.slice(0, 40)}`);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
  });

  it('a policy editor adds an approval step for the 主管部门 to Z1 using the element template, deploys; the next Z1 instance stops at the new step while an instance started before stays on the old version — no code changed, no restart', async () => {
    const { page } = session;
    // given a Z1 case started on the shipped version, waiting at 用编申请
    const before = await startZ1();
    const oldCase = await instanceWhen(before, waitsAt('Task_ApplyQuotaUse'), 'reached 用编申请');

    // when the policy editor opens Z1 in the modeler
    await login(page, 'policy-editor', `/modeler?process=${Z1}`);
    await page.locator('g[data-element-id="Task_ApplyQuotaUse"]').waitFor();
    await page.getByText('实时检查：').waitFor();
    assert.doesNotMatch(await lintSummary(page).innerText(), /[1-9]\d* 个错误/);
    await screenshot(page, 'modeler-z1-opened');

    // … creates a task from the palette and drops it on the flow 提交 → 用编许可自动审查 (100 units down
    // the flow: clear of the gateway and of the flow's label "提交", which would take the drop instead)
    await page.locator('.djs-palette [data-action="create.task"]').click();
    const drop = await pointOnFlow(page, 'Flow_ApplicationAction_CheckQuota', 100);
    await page.mouse.move(drop.x - 40, drop.y - 40, { steps: 5 });
    await page.mouse.move(drop.x, drop.y, { steps: 10 });
    await page.mouse.down();
    await page.mouse.up();
    const created = await page.locator('#bio-properties-panel-id').inputValue();
    assert.match(created, /^Activity_/);

    // … applies the element template 主管部门审核 with the 选择模板 button
    await page.getByRole('button', { name: '选择模板' }).click();
    await page.getByRole('dialog').getByRole('button', { name: /主管部门审核/ }).click();
    // the task became a user task with the template's locked group and form
    const panel = page.locator('.mp-properties');
    await panel.getByText('主管部门审核（用户任务）').first().waitFor();

    // … names it and gives it a readable id in the properties panel
    if (!(await page.locator('#bio-properties-panel-name').isVisible())) await panel.locator('.bio-properties-panel-group-header', { hasText: 'General' }).click();
    await page.locator('#bio-properties-panel-name').fill('主管部门审核');
    await page.locator('#bio-properties-panel-id').fill(NEW_STEP);
    await page.locator('#bio-properties-panel-id').press('Tab');
    await page.locator(`g[data-element-id="${NEW_STEP}"]`).waitFor();
    assert.equal(await page.locator(`g[data-element-id="${created}"]`).count(), 0);
    await page.getByText('实时检查：').waitFor();
    await page.waitForFunction(`!document.querySelector('.mp-lint-summary').textContent.includes('正在检查')`);
    assert.doesNotMatch(await lintSummary(page).innerText(), /[1-9]\d* 个错误/, 'the changed diagram passes the deploy checks');
    await screenshot(page, 'modeler-z1-supervisor-step');

    // … and deploys
    await page.getByRole('button', { name: '部署', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '已部署' }).waitFor();
    assert.match(await page.getByRole('status').filter({ hasText: '已部署' }).innerText(), new RegExp(`${Z1} 版本 ${oldCase.version + 1}`));
    assert.equal(await page.getByLabel('版本', { exact: true }).inputValue(), String(oldCase.version + 1));
    await screenshot(page, 'modeler-z1-deployed');

    // then the deployed diagram holds the step as the template makes it
    const xml = await (await fetch(`${server.baseUrl}/api/process-definitions/${Z1}/xml`, { headers: { Authorization: `Bearer ${tokens.get('admin') ?? ''}` } })).text();
    const step = new RegExp(`<bpmn:userTask id="${NEW_STEP}" name="主管部门审核" zeebe:modelerTemplate="bianzhi-flow.supervisor-review"[^>]*>[\\s\\S]*?</bpmn:userTask>`).exec(xml)?.[0] ?? '';
    assert.match(step, /<zeebe:userTask \/>/);
    assert.match(step, /<zeebe:formDefinition formId="supervisor-review" \/>/);
    assert.match(step, /<zeebe:assignmentDefinition candidateGroups="supervisor" \/>/);

    // and the version diff shows the new step as added lines
    await page.getByLabel('对比：旧版本').selectOption(String(oldCase.version));
    await page.getByLabel('对比：新版本').selectOption(String(oldCase.version + 1));
    await page.getByRole('button', { name: '对比 XML' }).click();
    await page.locator('.mp-diff-added', { hasText: NEW_STEP }).first().waitFor();

    // when the unit starts the next case on the same running server, and both cases submit 用编申请
    const after = await startZ1();
    const newCase = await instanceWhen(after, waitsAt('Task_ApplyQuotaUse'), 'reached 用编申请');
    assert.equal(newCase.version, oldCase.version + 1);
    await submitApplication(before);
    await submitApplication(after);

    // then the new case stops at 主管部门审核, in the 主管部门's inbox
    const newAtStep = await instanceWhen(after, waitsAt(NEW_STEP), `reached ${NEW_STEP}`);
    assert.deepEqual(openUserTasks(newAtStep), [NEW_STEP]);
    const supervisorInbox = await inbox(SUPERVISOR);
    assert.ok(supervisorInbox.some((t) => t.instanceId === after && t.elementId === NEW_STEP), `${SUPERVISOR} (主管部门) sees the new step: ${JSON.stringify(supervisorInbox)}`);
    // while the case started before stays on the old version and goes on to 编办's automatic check and its next step
    const oldOn = await instanceWhen(before, (i) => !i.openElements.some((e) => e.elementId === 'Task_CheckQuota') && openUserTasks(i).length > 0, 'passed 用编许可自动审查');
    assert.equal(oldOn.version, oldCase.version);
    assert.ok(!openUserTasks(oldOn).includes(NEW_STEP));
    assert.ok(openUserTasks(oldOn).every((id) => ['Task_ApproveQuotaUse', 'Task_LeaderReviewQuota', 'Task_ApplyQuotaUse'].includes(id)), JSON.stringify(oldOn.openElements));

    assert.ok(await page.locator('.bjs-powered-by').isVisible(), 'the bpmn.io watermark stays visible');
    assert.deepEqual(session.foreignRequests, [], 'no request leaves the server');
  });

  it('a deploy with a lint error is refused and the finding is shown on the element', async () => {
    const { page } = session;
    // given Z1 open in the modeler, with a task dropped on an empty spot (connected to nothing)
    await page.goto(`/modeler?process=${Z1}`);
    await page.locator('g[data-element-id="Task_ApplyQuotaUse"]').waitFor();
    await page.getByText('实时检查：').waitFor();
    const plan = await page.locator('g[data-element-id="Task_PlanTimeLimits"]').boundingBox();
    assert.ok(plan);
    await page.locator('.djs-palette [data-action="create.task"]').click();
    await page.mouse.move(plan.x + plan.width / 2, plan.y + 250, { steps: 10 });
    await page.mouse.down();
    await page.mouse.up();
    const loose = await page.locator('#bio-properties-panel-id').inputValue();
    assert.match(loose, /^Activity_/);

    // when the editor deploys at once
    await page.getByRole('button', { name: '部署', exact: true }).click();

    // then the deployment is refused with the server's message
    const alert = page.getByRole('alert').filter({ hasText: '流程图检查未通过' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /个错误，已在图上标出/);
    // and the element carries the error marker and a badge whose title is the finding
    const shape = page.locator(`g[data-element-id="${loose}"]`);
    await page.waitForFunction(`document.querySelector('g[data-element-id="${loose}"]').classList.contains('mp-has-error')`);
    assert.match((await shape.getAttribute('class')) ?? '', /mp-has-error/);
    const badge = page.locator(`[data-container-id="${loose}"] .mp-lint-badge`);
    await badge.waitFor();
    assert.ok(await badge.isVisible());
    assert.match((await badge.getAttribute('title')) ?? '', /not connected|未连接|disconnected/i);
    // the finding is listed too; clicking it selects the element
    const listed = page.locator(`.mp-lint-list button[data-element="${loose}"]`);
    assert.ok(await listed.count() > 0);
    await page.locator('.mp-properties').click({ position: { x: 5, y: 5 } });
    await listed.first().click();
    assert.equal(await page.locator('#bio-properties-panel-id').inputValue(), loose);
    await screenshot(page, 'modeler-deploy-refused');

    // and nothing was deployed
    const versions = await call<Array<{ version: number }>>('admin', 'GET', `/api/process-definitions/${Z1}/versions`);
    assert.equal(versions.length, 2);
    assert.ok(await page.locator('.bjs-powered-by').isVisible(), 'the bpmn.io watermark stays visible');
    assert.deepEqual(session.foreignRequests, [], 'no request leaves the server');
  });

  it('simulates tokens without deploying, and deploys an edited form as the next version of the same form', async () => {
    const { page } = session;
    // token simulation: on, deploying is off meanwhile; off again
    await page.getByRole('button', { name: '模拟运行' }).click();
    assert.equal(await page.getByRole('button', { name: '退出模拟' }).getAttribute('aria-pressed'), 'true');
    assert.ok(await page.getByRole('button', { name: '部署', exact: true }).isDisabled());
    await page.getByRole('button', { name: '退出模拟' }).click();
    assert.ok(await page.getByRole('button', { name: '部署', exact: true }).isEnabled());

    // forms: open supervisor-review in form-js's editor and deploy it
    await page.getByRole('tab', { name: '表单' }).click();
    await page.locator('button[data-form-id="supervisor-review"]').click();
    await page.locator('.mp-form-editor .fjs-editor-container').waitFor();
    await page.locator('.mp-form-editor').getByText('主管部门意见').first().waitFor();
    await screenshot(page, 'modeler-form-editor');
    await page.getByRole('button', { name: '部署表单' }).click();
    const status = page.getByRole('status').filter({ hasText: '表单 supervisor-review' });
    await status.waitFor();
    const form = await call<{ formId: string; version: number; schema: { id: string } }>('admin', 'GET', '/api/forms/supervisor-review');
    assert.equal(form.schema.id, 'supervisor-review');
    assert.match(await status.innerText(), new RegExp(`版本 ${form.version}`));
    await page.getByRole('tab', { name: '流程图' }).click();
    assert.deepEqual(session.foreignRequests, [], 'no request leaves the server');
  });

  it('shows an auditor the diagram with deploying and templates disabled', async () => {
    const { page } = session;
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByLabel('用户名').waitFor();
    await login(page, 'auditor', `/modeler?process=${Z1}`);
    await page.locator('g[data-element-id="Task_ApplyQuotaUse"]').waitFor();
    assert.ok(await page.getByRole('button', { name: '部署', exact: true }).isDisabled());
    await page.locator('g[data-element-id="Task_ApplyQuotaUse"]').click();
    assert.ok(await page.getByRole('button', { name: '选择模板' }).isDisabled());
    assert.match(await lintSummary(page).innerText(), /只有流程编辑人员/);
    assert.deepEqual(session.foreignRequests, [], 'no request leaves the server');
  });
});

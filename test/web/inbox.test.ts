// The inbox in Debian's chromium: a unit clerk fills the 落编申请 (registration) form of a Z1 case,
// the server refuses a wrong 公民身份号码 on that very field, the clerk fixes it and completes.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { waitUntil } from '../durability/harness';
import { idNumber, newGraduate, Z1_APPLICATION } from '../processes/harness';
import { openBrowser, login, requireChromium, screenshot, startWebServer, type BrowserSession, type WebServer } from './browser';
import { httpCaseDriver, type HttpCaseDriver } from './inbox-cases';

const CLERK = 'unit-U001';
/** a valid GB 11643 number (born 1999-05-12, male) and the same with a wrong check digit */
const VALID_ID = idNumber('11010519990512003');
const WRONG_ID = VALID_ID.slice(0, 17) + (VALID_ID.endsWith('0') ? '1' : '0');

/** Picks an option of a form-js select (a custom dropdown, not a native <select>). */
async function choose(page: Page, label: RegExp, option: string): Promise<void> {
  await page.getByLabel(label).focus();
  await page.locator('.fjs-dropdownlist-item', { hasText: new RegExp(`^${option}$`) }).click();
}

/** The form-js field (label, input, errors) whose input has this label. */
const fieldOf = (page: Page, label: RegExp) => page.locator('.fjs-form-field', { has: page.getByLabel(label) });

describe('web: inbox (chromium)', function () {
  this.timeout(240_000);
  let server: WebServer;
  let session: BrowserSession;
  let cases: HttpCaseDriver;
  /** the Z1 case of the first test, then waiting at 落编许可 */
  let caseId: string | undefined;

  before(async function () {
    requireChromium(this);
    server = await startWebServer('web-inbox');
    session = await openBrowser(server.baseUrl);
    cases = httpCaseDriver(server.baseUrl);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
  });

  it('a unit clerk submits a task form with a wrong ID number, sees the field error, fixes it, completes', async () => {
    // given: a Z1 case whose quota 编办 approved, waiting for the unit's 落编申请
    const instanceId = await cases.start('staff-add-recruitment', CLERK, {});
    await cases.complete(instanceId, 'Task_ApplyQuotaUse', CLERK, Z1_APPLICATION);
    await cases.complete(instanceId, 'Task_ApproveQuotaUse', 'bianban-clerk', { quotaDecision: 'approve', quotaComment: '同意' });
    const taskId = await cases.openTask(instanceId, 'Task_ApplyRegistration', CLERK);
    const clerkToken = await cases.token(CLERK);
    const person = newGraduate({ name: '林嘉树', idNumber: VALID_ID, gender: '1', birthDate: '1999-05-12' });

    // when: the clerk finds the task in the inbox, claims and opens it
    const { page } = session;
    await login(page, CLERK, '/inbox');
    await page.waitForURL(/\/inbox$/);
    const row = page.locator(`tr[data-task-id="${taskId}"]`);
    await row.waitFor();
    await screenshot(page, 'inbox-queue-unit-clerk');
    await row.getByRole('button', { name: /^认领任务/ }).click();
    await page.getByRole('status').filter({ hasText: '已认领任务' }).waitFor();
    await row.getByRole('button', { name: '办理' }).click();
    await page.getByRole('heading', { name: '落编申请' }).waitFor();

    // and fills the form with a wrong check digit
    await page.getByLabel(/^姓名/).fill(String(person.name));
    await page.getByLabel(/^公民身份号码/).fill(WRONG_ID);
    await choose(page, /^性别/, '男');
    const birthDate = page.getByLabel(/^出生日期/);
    await birthDate.fill('1999/5/12');
    await birthDate.press('Enter');
    await page.getByLabel(/^民族/).fill(String(person.ethnicity));
    await choose(page, /^政治面貌/, '中国共产主义青年团团员');
    await choose(page, /^学历/, '大学本科毕业');
    await choose(page, /^学位/, '学士');
    await page.getByLabel(/^毕业院校/).fill(String(person.school));
    await page.getByLabel(/^拟任职务职级/).fill(String(person.post));
    await page.getByRole('radio', { name: '提交' }).check();
    await page.getByRole('button', { name: '提交', exact: true }).click();

    // then: the server's message stands next to the ID number field, and the task is still open
    const idError = fieldOf(page, /^公民身份号码/).locator('.fjs-form-field-error');
    await idError.waitFor();
    assert.match(await idError.innerText(), /公民身份号码校验位不正确/);
    assert.match(await page.getByRole('alert').first().innerText(), /请求数据不符合要求/);
    await screenshot(page, 'inbox-task-form-id-number-error');
    const stillOpen = await cases.api.call('GET', `/api/tasks/${taskId}`, { token: clerkToken });
    assert.equal(stillOpen.body.data.state, 'created', 'a refused submission leaves the task open');

    // when: the clerk corrects the number and submits again
    await page.getByLabel(/^公民身份号码/).fill(VALID_ID);
    await idError.waitFor({ state: 'detached' }); // form-js re-validates the field on change (debounced)
    await page.getByRole('button', { name: '提交', exact: true }).click();

    // then: back in the list with a success message; the task is completed and the case moved on
    await page.getByRole('status').filter({ hasText: '已办理完成' }).waitFor();
    await row.waitFor({ state: 'detached' }); // the queue reloaded without it
    await screenshot(page, 'inbox-task-completed');
    const done = await cases.api.call('GET', `/api/tasks/${taskId}`, { token: clerkToken });
    assert.equal(done.body.data.state, 'completed');
    const bianbanToken = await cases.token('bianban-clerk');
    const instance = await waitUntil('the case to reach 落编许可', 30_000, async () => {
      const res = await cases.api.call('GET', `/api/process-instances/${instanceId}`, { token: bianbanToken });
      const open = (res.body.data.openElements as Array<{ elementId: string }>).map((e) => e.elementId);
      return open.includes('Task_ApproveRegistration') ? res.body.data : undefined;
    }, 100);
    assert.deepEqual(instance.variables.person.idNumber, VALID_ID);
    assert.deepEqual(session.foreignRequests, [], 'no request leaves the server');
    caseId = instanceId;
  });

  it("shows a finished task's case documents and its diagram with the current step marked", async function () {
    if (!caseId) this.skip();
    // given: the clerk's completed 落编申请; the case now waits at 编办's 落编许可
    const { page } = session;
    await page.getByRole('tab', { name: /^已完成/ }).click();
    const row = page.locator('tr', { hasText: '落编申请' });
    await row.getByRole('button', { name: '查看' }).click();
    await page.getByRole('heading', { name: '落编申请' }).waitFor();

    // when: the documents tab — then the 用编通知单 the quota reservation issued, with its key fields
    await page.getByRole('tab', { name: '文书' }).click();
    const documents = page.getByRole('region', { name: '案件文书' });
    await documents.getByRole('row').nth(1).getByRole('button', { name: '查看' }).click();
    await documents.locator('.document-fields dt').first().waitFor();
    assert.match(await documents.locator('.document-view').innerText(), /文号 \S+/);

    // when: the diagram tab — then the current step is marked and the bpmn.io watermark is shown
    await page.getByRole('tab', { name: '流程图' }).click();
    await page.locator('.djs-element.current-step[data-element-id="Task_ApproveRegistration"]').waitFor();
    assert.equal(await page.locator('.bjs-powered-by').isVisible(), true, 'the bpmn.io watermark stays visible');
    await screenshot(page, 'inbox-case-diagram');
    assert.deepEqual(session.foreignRequests, [], 'no request leaves the server');
  });

  it('an auditor opens that very case, steps its timeline back and forth, and sees the verify badge', async function () {
    if (!caseId) this.skip();
    // given: the auditor on the case the clerk just moved on
    const { page } = session;
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByLabel('用户名').waitFor();
    await login(page, 'auditor');
    await page.goto(`/instances/${caseId}`);
    const diagram = page.locator('[data-testid="diagram"][data-state-at]');
    await diagram.waitFor();
    const latest = Number(await diagram.getAttribute('data-state-at'));
    const registration = page.locator('g.djs-element[data-element-id="Task_ApplyRegistration"]');
    const classesOf = async () => ((await registration.getAttribute('class')) ?? '').split(/\s+/);
    assert.ok((await classesOf()).includes('bzf-completed'), 'the 落编申请 the clerk completed is marked completed');

    // when: back to the beginning, then one event forward
    await page.getByRole('button', { name: '回到开始' }).click();
    await page.locator('[data-testid="diagram"][data-state-at="0"]').waitFor();
    assert.ok(!(await classesOf()).includes('bzf-completed'), 'nothing is completed before the first event');
    await page.getByRole('button', { name: '下一事件 ›' }).click();
    await page.locator('[data-testid="diagram"][data-state-at="1"]').waitFor();

    // then: the verify badge says the chain is intact
    const badge = page.locator('[data-testid="verify"] .badge[data-verified]');
    await badge.waitFor();
    assert.equal(await badge.getAttribute('data-verified'), 'ok');
    assert.match(await badge.innerText(), /已验证/);
    assert.ok(latest > 1);
    await screenshot(page, 'inbox-case-audited');
    assert.deepEqual(session.foreignRequests, [], 'no request leaves the server');

    // back to the clerk for the next tests
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByLabel('用户名').waitFor();
    await login(page, CLERK);
  });

  it('starts a new case from the inbox and lists its first task', async () => {
    // given: the unit clerk on the queue
    const { page } = session;
    await page.goto('/inbox');
    await page.getByRole('tab', { name: /^待办/ }).waitFor();

    // when: 发起新案件 → 新录用/招聘（Z1）
    await page.getByRole('button', { name: '发起新案件' }).click();
    await page.getByLabel('流程').selectOption('staff-add-recruitment');
    await page.getByRole('button', { name: '发起', exact: true }).click();

    // then: back on the queue, the new case's 用编申请 arrives once the engine has created it
    const started = page.getByRole('status').filter({ hasText: '已发起' });
    await started.waitFor();
    const shortId = /（([0-9a-f]{8})）/.exec(await started.innerText())![1]!;
    await page.locator('tr', { hasText: shortId }).filter({ hasText: '用编申请' }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'inbox-case-started');
    assert.deepEqual(session.foreignRequests, [], 'no request leaves the server');
  });

  it('starts a case about someone on the rolls, found by name in the person picker', async () => {
    // given: one of the unit's staff (demo ID numbers start with the district's 370612), as the API finds them
    const { page } = session;
    const token = await cases.token(CLERK);
    const staff = await cases.api.call('GET', '/api/persons?q=370612&limit=1', { token });
    assert.equal(staff.status, 200, JSON.stringify(staff.body));
    const someone = staff.body.data[0] as { id: string; name: string; idNumberMasked: string };
    assert.ok(someone, 'the demo unit has staff on the rolls');

    // when: 发起新案件 → 退休, search by the name, pick, start
    await page.goto('/inbox');
    await page.getByRole('button', { name: '发起新案件' }).click();
    await page.getByLabel('流程').selectOption('staff-reduce-retirement');
    await page.getByLabel('人员', { exact: true }).fill(someone.name);
    const choice = page.getByLabel('选择人员');
    await choice.locator('option', { hasText: someone.idNumberMasked }).waitFor({ state: 'attached' });
    await choice.selectOption(someone.id);
    await page.getByLabel('退休日期').fill('2027-03-31');
    await screenshot(page, 'inbox-start-retirement');
    await page.getByRole('button', { name: '发起', exact: true }).click();
    const started = page.getByRole('status').filter({ hasText: '已发起' });
    await started.waitFor();

    // then: the case is about that person
    const shortId = /（([0-9a-f]{8})）/.exec(await started.innerText())![1]!;
    const list = await cases.api.call('GET', '/api/process-instances?processKey=staff-reduce-retirement&pageSize=50', { token });
    const instance = list.body.data.find((i: { id: string }) => i.id.startsWith(shortId));
    assert.ok(instance, `the started case ${shortId} is listed`);
    const detail = await cases.api.call('GET', `/api/process-instances/${instance.id}`, { token });
    assert.equal(detail.body.data.variables.personId, someone.id);
    assert.equal(detail.body.data.variables.eventDate, '2027-03-31');
  });

  it('shows a task created elsewhere without reloading the page (event stream, faster than the 10 s poll)', async () => {
    // given: the queue open in the browser
    const { page } = session;
    const marker = await page.evaluate(() => ((globalThis as unknown as { inboxMarker: number }).inboxMarker = Date.now()));

    // when: the same unit starts another case through the API
    const instanceId = await cases.start('staff-add-recruitment', CLERK, {});

    // then: its 用编申请 appears in the same page (no navigation: the marker survives)
    await page.locator('tr', { hasText: instanceId.slice(0, 8) }).filter({ hasText: '用编申请' }).waitFor({ timeout: 8_000 });
    assert.equal(await page.evaluate(() => (globalThis as unknown as { inboxMarker?: number }).inboxMarker), marker);
  });
});

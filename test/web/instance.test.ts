// 案件回放 /instances/:id in Debian's chromium: a Z1 case driven through the API (sent back once at
// 用编许可, then registered), opened by an auditor: the diagram with its markers and counts, the
// timeline stepping through the history, the verification badge.
import assert from 'node:assert/strict';
import { idNumber, newGraduate, runZ1SentBackThenRegistered } from '../processes/harness';
import { openBrowser, login, requireChromium, screenshot, startWebServer, type BrowserSession, type WebServer } from './browser';
import { remoteApi, remoteCaseDriver, unitIdOf, waitUntilEnded, type RemoteApi } from './instance-case';

interface HistoryEvent {
  kind: string;
  elementId: string | null;
}

describe('web: instance replay (chromium)', function () {
  this.timeout(240_000);
  let server: WebServer;
  let session: BrowserSession;
  let api: RemoteApi;
  let instanceId: string;
  let history: HistoryEvent[];

  before(async function () {
    requireChromium(this);
    server = await startWebServer('web-instance');
    api = remoteApi(server.baseUrl);
    const person = newGraduate({ name: '韩磊', idNumber: idNumber('37061219980315771') });
    instanceId = await runZ1SentBackThenRegistered(remoteCaseDriver(api), await unitIdOf(api, 'auditor', 'U001'), 'U001', person);
    assert.equal(await waitUntilEnded(api, 'auditor', instanceId), 'completed');
    history = await api.data<HistoryEvent[]>('auditor', 'GET', `/api/process-instances/${instanceId}/history`);
    session = await openBrowser(server.baseUrl);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
  });

  it('an auditor opens that instance, steps the timeline, sees the verify badge', async () => {
    const { page } = session;
    const element = (id: string) => page.locator(`g.djs-element[data-element-id="${id}"]`);
    const classesOf = async (id: string) => ((await element(id).getAttribute('class')) ?? '').split(/\s+/);
    const diagramAt = (at: number) => page.locator(`[data-testid="diagram"][data-state-at="${at}"]`).waitFor();
    const total = history.length;
    const firstApplication = history.findIndex((e) => e.kind === 'element.completed' && e.elementId === 'Task_ApplyQuotaUse') + 1;
    assert.ok(firstApplication > 0, 'the history has the first 用编申请');

    // given an auditor on the case's page
    await login(page, 'auditor');
    await page.goto(`/instances/${instanceId}`);
    await diagramAt(total);

    // then the header, the final state, the send-back count and the verification
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Z1/);
    assert.equal(await page.getByTestId('instance-state').innerText(), '已办结');
    assert.ok((await classesOf('Task_Deploy')).includes('bzf-completed'), '人员调配 is completed');
    assert.ok((await classesOf('SubProcess_ParallelReview')).includes('bzf-completed'), 'the collapsed 并联审查 is completed');
    assert.ok((await classesOf('Task_ApplyQuotaUse')).includes('bzf-completed'));
    assert.ok((await page.locator('g.djs-connection.bzf-taken').count()) > 5, 'taken flows are highlighted');
    assert.equal(await page.locator('[data-count-for="Task_ApplyQuotaUse"]').innerText(), '×2', '用编申请 ran twice (sent back once)');
    assert.equal(await page.locator('[data-count-for="Task_ApproveQuotaUse"]').innerText(), '×2');
    const badge = page.locator('[data-testid="verify"] .badge[data-verified]');
    await badge.waitFor();
    assert.equal(await badge.getAttribute('data-verified'), 'ok');
    assert.match(await badge.innerText(), /已验证.*链完整/);
    assert.ok(await page.locator('.bjs-powered-by').isVisible(), 'the bpmn.io watermark is visible');
    await screenshot(page, 'instance-final-state');

    // when the timeline goes back to the beginning
    await page.getByRole('button', { name: '回到开始' }).click();
    await diagramAt(0);
    // then nothing has happened yet
    assert.equal(await page.locator('g.bzf-completed, g.bzf-active, g.bzf-taken').count(), 0);
    assert.match(await page.getByTestId('timeline-event').innerText(), /流程发起之前/);

    // when the slider is moved to the first 用编申请's completion
    await page.getByLabel('历史事件').fill(String(firstApplication));
    await diagramAt(firstApplication);
    // then 用编申请 is completed once, and the later tasks are not yet
    assert.ok((await classesOf('Task_ApplyQuotaUse')).includes('bzf-completed'));
    assert.equal(await page.locator('[data-count-for="Task_ApplyQuotaUse"]').innerText(), '×1');
    assert.ok(!(await classesOf('Task_Deploy')).includes('bzf-completed'), '人员调配 is not completed at an early event');
    assert.ok(!(await classesOf('Task_ApproveQuotaUse')).includes('bzf-completed'));
    assert.match(await page.getByTestId('timeline-event').innerText(), /环节完成/);
    await screenshot(page, 'instance-early-event');

    // when stepping to the next event, and on to the next step (the recorded inputs)
    await page.getByRole('button', { name: '下一事件 ›' }).click();
    await diagramAt(firstApplication + 1);
    assert.match(await page.locator('.timeline-position').innerText(), new RegExp(`第 ${firstApplication + 1} / ${total} 条事件`));
    await page.getByRole('button', { name: '下一步骤 »' }).click();
    const afterStep = Number(await page.getByLabel('历史事件').inputValue());
    assert.ok(afterStep > firstApplication + 1, 'the next step is further on');
    await diagramAt(afterStep);

    assert.deepEqual(session.foreignRequests, [], 'no request leaves the server');
    assert.deepEqual(session.pageErrors, [], 'no errors on the page');
  });
});

// 统计看板 /dashboard in Debian's chromium: every chart drawn from its report (or its empty state when
// the report has nothing), its data table matching the API's figures.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { waitUntil } from '../durability/harness';
import { openBrowser, login, requireChromium, screenshot, startWebServer, type BrowserSession, type WebServer } from './browser';
import { remoteApi, type RemoteApi } from './instance-case';

type Report = Record<string, any>;

/** What each panel must show, from the API's answer: the table's row count, or empty. */
interface Expectation {
  id: string;
  report: string;
  rows(report: Report): number;
  empty(report: Report): boolean;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const EXPECTATIONS: Expectation[] = [
  { id: 'establishment-by-unit', report: 'establishment', rows: (r) => new Set(r.units.map((u: Report) => u.unitId)).size, empty: (r) => r.units.length === 0 || sum(r.units.map((u: Report) => u.vacant + u.over)) === 0 },
  { id: 'structure-age', report: 'structure', rows: (r) => Object.keys(r.total.ageBands).length, empty: (r) => r.total.count === 0 },
  { id: 'structure-gender', report: 'structure', rows: () => 2, empty: (r) => r.total.men + r.total.women === 0 },
  { id: 'structure-education', report: 'structure', rows: (r) => Object.keys(r.total.education).length, empty: (r) => r.total.count === 0 },
  { id: 'retirement-forecast', report: 'retirement-forecast', rows: (r) => r.byYear.length, empty: (r) => sum(r.byYear.map((y: Report) => y.retiring + y.quotaFreed)) === 0 },
  { id: 'flows-by-year', report: 'flows', rows: (r) => r.years.length, empty: (r) => sum(r.years.map((y: Report) => Math.abs(y.added.total) + Math.abs(y.reduced.total) + Math.abs(y.net))) === 0 },
  { id: 'overdue-steps-by-department', report: 'overdue-steps', rows: (r) => r.byDepartment.length, empty: (r) => sum(r.byDepartment.map((d: Report) => d.open + d.overdue + d.escalated + d.completedLate)) === 0 },
  { id: 'compliance-overdue', report: 'compliance', rows: (r) => r.reductions.byUnit.length, empty: (r) => sum(r.reductions.byUnit.map((u: Report) => u.onTime + u.late + u.overdue + u.pending)) === 0 },
];

async function settledState(page: Page, id: string): Promise<string> {
  const panel = page.locator(`section#${id}:not([data-state="loading"])`);
  await panel.waitFor();
  return (await panel.getAttribute('data-state')) ?? '';
}

describe('web: statistics dashboard (chromium)', function () {
  this.timeout(240_000);
  let server: WebServer;
  let session: BrowserSession;
  let api: RemoteApi;

  before(async function () {
    requireChromium(this);
    server = await startWebServer('web-dashboard');
    api = remoteApi(server.baseUrl);
    session = await openBrowser(server.baseUrl);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
  });

  it('draws every chart from its report, with a data table that matches the API', async () => {
    // given a case waiting at its first step (so the live overdue-steps report has an open step), and
    // the reports as the API gives them to an auditor
    await api.data('unit-U001', 'POST', '/api/process-instances', { processKey: 'staff-add-recruitment', variables: {} });
    await waitUntil('the case to wait at the unit', 20_000, async () => {
      const steps = await api.data<Report>('auditor', 'GET', '/api/stats/overdue-steps');
      return steps.byDepartment.find((d: Report) => d.departmentId === 'unit').open >= 1 ? true : undefined;
    });
    const reports: Record<string, Report> = {};
    for (const name of new Set(EXPECTATIONS.map((e) => e.report))) reports[name] = await api.data<Report>('auditor', 'GET', `/api/stats/${name}`);
    assert.ok(new Set(reports.establishment.units.map((u: Report) => u.unitId)).size > 1, 'the demo district has units right after start');

    // when the auditor opens the dashboard
    const { page } = session;
    await login(page, 'auditor');
    await page.goto('/dashboard');

    // then each panel is drawn, or says it has nothing to draw when its report is empty
    const drawn: string[] = [];
    for (const e of EXPECTATIONS) {
      const report = reports[e.report];
      const state = await settledState(page, e.id);
      const panel = page.locator(`section#${e.id}`);
      assert.ok((await panel.getByRole('heading', { level: 2 }).innerText()).length > 1, `${e.id} has a Chinese title`);
      if (e.empty(report)) {
        assert.equal(state, 'empty', `${e.id}: the report has nothing to draw`);
        assert.ok((await panel.locator('.chart-empty').innerText()).length > 0);
        continue;
      }
      assert.equal(state, 'ready', `${e.id} is drawn`);
      const box = await panel.locator('.chart svg').first().boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, `${e.id}: the chart has a size (${JSON.stringify(box)})`);
      assert.ok(((await panel.locator('.chart').getAttribute('aria-label')) ?? '').length > 0, `${e.id}: the chart has an accessible label`);
      await panel.getByRole('button', { name: '显示数据表' }).click();
      assert.equal(await panel.locator('table tbody tr').count(), e.rows(report), `${e.id}: one table row per category of the report`);
      drawn.push(e.id);
    }
    assert.ok(drawn.includes('establishment-by-unit') && drawn.includes('structure-age'), `drawn: ${drawn}`);

    // and the 超缺编 table's sums are the API's
    const establishment = page.locator('section#establishment-by-unit table tbody tr');
    const columnSum = async (col: number) => sum((await establishment.locator(`td:nth-of-type(${col})`).allInnerTexts()).map(Number));
    assert.equal(await columnSum(1), sum(reports.establishment.units.map((u: Report) => u.vacant)), '空编 sum');
    assert.equal(await columnSum(2), sum(reports.establishment.units.map((u: Report) => u.over)), '超编 sum');

    await screenshot(page, 'dashboard');
    assert.deepEqual(session.foreignRequests, [], 'no request leaves the server');
    assert.deepEqual(session.pageErrors, [], 'no errors on the page');
  });
});

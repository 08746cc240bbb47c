// The page shells and bundled assets (no browser): every page builds, shells carry the CSP that
// keeps requests on this server, and a page that fails to build answers 500 while the others work.
import assert from 'node:assert/strict';
import express from 'express';
import supertest from 'supertest';
import { createSilentLogger } from '../../server/core/logger';
import { buildWebBundle, type WebBundle } from '../../server/web/bundle';
import { WEB_PAGES } from '../../server/web/pages';
import { CONTENT_SECURITY_POLICY, webRoutes } from '../../server/web/routes';

const appWith = (build: () => Promise<WebBundle>) => express().use('/', webRoutes(createSilentLogger(), build));

describe('web pages: shells and bundles', function () {
  this.timeout(120_000);

  it('bundles every page, each with its script and stylesheet', async () => {
    const bundle = await buildWebBundle(createSilentLogger());
    assert.deepEqual([...bundle.failures.entries()], [], 'no page fails to build');
    for (const page of WEB_PAGES) {
      assert.ok(bundle.assets.get(`${page.entry}.js`)?.body.length, `${page.entry}.js`);
      assert.ok(bundle.assets.get(`${page.entry}.css`)?.body.length, `${page.entry}.css`);
    }
  });

  it('serves each page as a zh-CN shell loading its bundle, with a same-origin content security policy', async () => {
    const asset = (text: string, contentType = 'text/javascript; charset=utf-8') => ({ contentType, body: new TextEncoder().encode(text) });
    const assets = new Map(WEB_PAGES.flatMap((p) => [[`${p.entry}.js`, asset('//js')], [`${p.entry}.css`, asset('', 'text/css; charset=utf-8')]] as const));
    const app = appWith(async () => ({ assets, failures: new Map(), buildMs: 0 }));
    for (const path of ['/', '/modeler', '/inbox', '/instances/3f2a', '/dashboard']) {
      const res = await supertest(app).get(path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers['content-type'], /text\/html/);
      assert.equal(res.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
      assert.match(res.text, /<html lang="zh-CN">/);
    }
    const dashboard = await supertest(app).get('/dashboard');
    assert.match(dashboard.text, /src="\/assets\/dashboard\.js"/);
    assert.match(dashboard.text, /href="\/assets\/dashboard\.css"/);
    assert.match(CONTENT_SECURITY_POLICY, /default-src 'self'/);
    assert.match(CONTENT_SECURITY_POLICY, /connect-src 'self'/);

    const script = await supertest(app).get('/assets/inbox.js');
    assert.equal(script.status, 200);
    assert.match(script.headers['content-type'], /text\/javascript/);
    assert.equal((await supertest(app).get('/assets/nothing.js')).status, 404);
  });

  it('answers 500 naming the error for a page that did not build, and serves the others', async () => {
    const assets = new Map([['inbox.js', { contentType: 'text/javascript', body: new Uint8Array([47, 47]) }]]);
    const app = appWith(async () => ({ assets, failures: new Map([['modeler', 'modeler/index.ts:3 Could not resolve "nope"']]), buildMs: 0 }));
    const broken = await supertest(app).get('/modeler');
    assert.equal(broken.status, 500);
    assert.match(broken.text, /Could not resolve "nope"/);
    assert.equal((await supertest(app).get('/inbox')).status, 200);
  });

  it('retries a build that threw on the next request', async () => {
    let calls = 0;
    const app = appWith(async () => {
      calls += 1;
      if (calls === 1) throw new Error('esbuild crashed');
      return { assets: new Map(), failures: new Map(), buildMs: 0 };
    });
    assert.equal(calls, 0, 'nothing is built before a page is asked for');
    assert.equal((await supertest(app).get('/inbox')).status, 500);
    assert.equal((await supertest(app).get('/inbox')).status, 200);
    assert.equal(calls, 2);
  });
});

// GET /dashboard in a real headless Chromium (Debian's package, driven by playwright-core) against a live
// 3-node cluster with REST authentication: the page shows the members, roles and lags; an action without
// credentials is refused; a switchover clicked with credentials changes the leader and the page shows it.
// A screenshot of each step is kept under the test's temp dir (paths printed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { startCluster, type TestCluster } from '../../support/cluster/index.js';
import { makeTempDir, waitFor } from '../../support/tmp.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DASHBOARD_HTML } from '../../../src/api/dashboard/page.js';
import { bigClusterView } from '../../support/api/big-cluster.js';

const AUTH = { username: 'dash-admin', password: 'dash-secret' };
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('dashboard in headless Chromium', () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  let browser: BrowserContext | undefined;
  let page: Page | undefined;
  const profile = makeTempDir('dashboard-profile');
  // Kept after the run: the screenshots are the test's artifacts.
  const shots = makeTempDir('dashboard-screenshots');
  let step = 0;
  const screenshot = async (what: string) => {
    const path = join(shots.path, `${String(++step).padStart(2, '0')}-${what}.png`);
    await page!.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
  };
  /** Role shown in the page per member, and the lag cell's byte count. */
  const shown = () =>
    page!.$$eval('#members tbody tr', (rows) =>
      rows.map((r) => ({
        name: r.getAttribute('data-member'),
        role: r.querySelector('[data-field=role]')?.textContent ?? '',
        lag: r.querySelector('[data-field=lag]')?.getAttribute('data-bytes') ?? '',
      })),
    );

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'ts',
      nodes: 3,
      etcd,
      staggered: true,
      nodeOverrides: () => ({ restapi: { authentication: { ...AUTH } } }),
    });
    await cluster.waitForReplicasStreaming(2);
    browser = await chromium.launchPersistentContext(profile.path, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1440, height: 900 },
    });
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await cluster?.remove();
    await etcd?.stop();
    profile.remove();
  });

  test('the page of a live 3-node cluster shows the three members with their roles and lags', async () => {
    const node1 = cluster!.node('node1');
    await page!.goto(`${node1.apiUrl}/dashboard`);
    const rows = await waitFor(
      'three members with their lags',
      async () => {
        const r = await shown();
        return r.length === 3 && r.every((m) => m.role === 'leader' || m.lag !== '') ? r : undefined;
      },
      30_000,
    );
    assert.deepEqual(
      rows.map((r) => [r.name, r.role]),
      [
        ['node1', 'leader'],
        ['node2', 'replica'],
        ['node3', 'replica'],
      ],
    );
    // Replicas stream: their lag is a byte count well under maximum_lag_on_failover.
    for (const r of rows.slice(1)) assert.ok(Number(r.lag) >= 0 && Number(r.lag) < 1048576, JSON.stringify(r));
    assert.match((await page!.textContent('#summary')) ?? '', /leader node1 · 3 members · system id \d+/);
    assert.match((await page!.textContent('tr[data-member=node2]')) ?? '', /would lead|eligible/);
    assert.match((await page!.textContent('tr[data-member=node2] [data-field=decision]')) ?? '', /I am \(node2\), a secondary/);
    // Restart and reload act on the node serving the page; each other member links to its own dashboard.
    assert.equal(await page!.getAttribute('tr[data-member=node2] [data-field=open]', 'href'), `${cluster!.node('node2').apiUrl}/dashboard`);
    await screenshot('three-members');
  });

  test('with REST authentication configured, a switchover without credentials is refused', async () => {
    await page!.selectOption('#candidate', 'node2');
    await page!.click('#switchover');
    await page!.waitForSelector('#result[data-status]');
    assert.equal(await page!.getAttribute('#result', 'data-status'), '401');
    assert.match((await page!.textContent('#result')) ?? '', /refused, HTTP 401/);
    assert.equal((await cluster!.leader())?.name, 'node1');
    await screenshot('refused-without-credentials');
  });

  test('a switchover clicked in the page changes the leader and the page shows it', async () => {
    await page!.fill('#user', AUTH.username);
    await page!.fill('#password', AUTH.password);
    await page!.selectOption('#candidate', 'node2');
    await page!.click('#switchover');
    await page!.waitForFunction(() => document.querySelector('#result')?.getAttribute('data-status') === '200', undefined, { timeout: 60_000 });
    assert.match((await page!.textContent('#result')) ?? '', /Successfully switched over to "node2"/);
    await waitFor(
      'the page shows node2 as the leader',
      async () => {
        const r = await shown();
        return r.find((m) => m.name === 'node2')?.role === 'leader' && r.find((m) => m.name === 'node1')?.role === 'replica';
      },
      15_000,
    );
    assert.equal((await cluster!.leader())?.name, 'node2');
    await waitFor('timeline history shown', async () => ((await page!.textContent('#history tbody')) ?? '').includes('no recovery target specified'), 15_000);
    await screenshot('after-switchover');
  });

  test('pause, resume and reload from the page', async () => {
    await page!.click('#pause');
    await page!.waitForSelector('#facts[data-paused=true]', { timeout: 15_000 });
    assert.match((await page!.textContent('#result')) ?? '', /Pause: maintenance mode on/);
    // Paused: nobody would take over; the page says so per member.
    await waitFor(
      'replicas shown as not eligible while paused',
      async () => ((await page!.textContent('tr[data-member=node1] [data-field=outlook]')) ?? '') === 'not eligible',
      15_000,
    );
    assert.match((await page!.textContent('tr[data-member=node1]')) ?? '', /cluster is paused: no automatic failover/);
    await screenshot('paused');
    await page!.click('#resume');
    await page!.waitForSelector('#facts[data-paused=false]', { timeout: 15_000 });
    await page!.click('#reload');
    await page!.waitForFunction(() => /^Reload of node1: /.test(document.querySelector('#result')?.textContent ?? ''), undefined, { timeout: 15_000 });
    assert.equal(await page!.getAttribute('#result', 'data-status'), '202');
  });

  test('15 members on a laptop screen: every row shown, no horizontal scrolling, the cascade under its upstream', async () => {
    // The page's own code against a 15-member state (no 15-node cluster on a 2-core machine): served as
    // GET /dashboard and /dashboard/state by a stand-in for the REST API.
    const state = JSON.stringify({ ok: true, servedBy: 'pg01', generatedAt: new Date().toISOString(), view: bigClusterView() });
    const server = createServer((req, res) => {
      const [type, body] = req.url === '/dashboard/state' ? ['application/json', state] : ['text/html', DASHBOARD_HTML];
      res.writeHead(200, { 'Content-Type': type });
      res.end(body);
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    try {
      const laptop = await browser!.newPage();
      await laptop.setViewportSize({ width: 1366, height: 768 });
      await laptop.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard`);
      await laptop.waitForFunction(() => document.querySelectorAll('#members tbody tr').length === 15, undefined, { timeout: 15_000 });
      const order = await laptop.$$eval('#members tbody tr', (rows) => rows.map((r) => r.getAttribute('data-member')));
      assert.equal(order[0], 'pg01');
      assert.equal(order[order.indexOf('pg02') + 1], 'pg14', 'the cascading replica is listed under its upstream');
      const indent = (name: string) =>
        laptop.$eval(`tr[data-member=${name}] td.name`, (td) => td.getBoundingClientRect().left + parseFloat(getComputedStyle(td).paddingLeft));
      assert.ok((await indent('pg14')) > (await indent('pg02')), 'and indented further');
      const overflow = await laptop.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 1366px screen`);
      const path = join(shots.path, `${String(++step).padStart(2, '0')}-fifteen-members-1366px.png`);
      await laptop.screenshot({ path, fullPage: true });
      console.log(`screenshot: ${path}`);
      await laptop.close();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    }
  });
});

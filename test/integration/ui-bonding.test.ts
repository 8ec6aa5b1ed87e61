// The LuCI page (Network → Bonding) in headless Chromium, against the dev server's stand-in
// for the router's /ubus and a real bond in the lab: the client bondd's control socket feeds
// the page, the lab cuts links, and the settings are written to the dev server's config
// directory. Needs root (the lab), Debian's chromium and playwright-core.
// Screenshots (desktop and phone, light and dark) go to test-artifacts/ui/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { Lab } from '../lab/topology.js';
import { LabBond } from '../lab/bond.js';
import { startServers, bulk } from '../lab/traffic/measure.js';
import { startDevServer, type DevServer } from '../../luci-app-bond/dev/server.js';
import { parseUci, type UciPackage } from '../../src/uci/index.js';
import { until } from '../lab/wait.js';
import { needsRoot } from './skip.js';
import { ARTIFACTS, UiBrowser, browserMissing } from './ui-browser.js';

const skip = needsRoot() || (await browserMissing());

let lab: Lab;
let bond: LabBond;
let dev: DevServer;
let ui: UiBrowser;
const traffic: Promise<unknown>[] = [];

const LINKS = [
  { name: 'dsl', rateMbps: 20, delayMs: 10, lossPct: 0 },
  { name: 'lte', rateMbps: 10, delayMs: 25, lossPct: 0 },
  { name: 'sat', rateMbps: 8, delayMs: 40, lossPct: 0 },
];

before(async () => {
  if (skip) return;
  lab = await Lab.start(LINKS, { prefix: 'bui' });
  bond = await LabBond.start(lab);
  await bond.connected(15_000);
  await startServers(lab);
  dev = await startDevServer({
    port: 0,
    control: bond.clientSock,
    config: bond.clientConf,
    // what netifd would list on a router: one interface per lab link, named after its device
    interfaces: [...lab.links.map((l) => ({ interface: l.device, device: l.device, up: true, address: l.address })), { interface: 'lan', device: 'lan', up: true }],
    quiet: true,
  });
  ui = await UiBrowser.start();
});

after(async () => {
  await Promise.allSettled(traffic);
  await ui?.close();
  await dev?.close();
  await bond?.stop();
  lab?.close();
});

function background(p: Promise<unknown>): void {
  traffic.push(p.catch(() => undefined));
}

const linkCard = (page: Page, name: string) => page.locator(`li.bond-link[data-link="${name}"]`);

async function readNumbers(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('li.bond-link')].flatMap((li) =>
        [...li.querySelectorAll('[data-field]')].map((dd) => [`${li.getAttribute('data-link')}.${dd.getAttribute('data-field')}`, dd.textContent ?? '']),
      ),
    ),
  );
}

function configFile(): string {
  return readFileSync(join(dev.configDir, 'bonding'), 'utf8');
}

function section(pkg: UciPackage, name: string): Record<string, string | string[]> | undefined {
  const s = pkg.sections.find((x) => x.name === name);
  return s && Object.fromEntries(s.options.map((o) => [o.name, o.kind === 'string' ? o.value : o.items.map((i) => i.value)]));
}

test('the status shows every link with live numbers that change', { skip }, async () => {
  const { page, errors } = await ui.open(dev.url);
  for (const l of lab.links) await linkCard(page, l.name).waitFor();
  assert.equal(await page.locator('.bond-summary').getAttribute('data-state'), 'connected');
  background(bulk(lab, { dir: 'down', seconds: 12, flows: 2 }));
  const seen: Record<string, string>[] = [];
  for (let i = 0; i < 6; i++) {
    await sleep(1000);
    seen.push(await readNumbers(page));
  }
  for (const l of lab.links) {
    const rx = new Set(seen.map((s) => s[`${l.name}.rx`]));
    assert.ok(rx.size > 1, `${l.name}: the download rate did not change in 6 s: ${[...rx].join(', ')}`);
    assert.match(seen.at(-1)![`${l.name}.rtt`]!, /\d ms$/, `${l.name}: RTT`);
    assert.match(seen.at(-1)![`${l.name}.state`]!, /Up/);
  }
  const busiest = Math.max(...seen.flatMap((s) => lab.links.map((l) => Number.parseFloat(s[`${l.name}.rx`]!) * (s[`${l.name}.rx`]!.includes('Mbit') ? 1 : 0))));
  assert.ok(busiest > 1, `some link carries more than 1 Mbit/s of the download (${busiest})`);
  // the charts have lines: one per link and the total
  const lines = await page.locator('.bond-charts path.bond-line').evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? ''));
  assert.equal(lines.length, 2 * (lab.links.length + 1));
  assert.ok(lines.every((d) => d.split('L').length > 3), 'every line has several points');
  await page.screenshot({ path: join(ARTIFACTS, 'status-desktop-light.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link cut in the lab shows as down within 2 s', { skip }, async () => {
  const { page, errors } = await ui.open(dev.url);
  const card = linkCard(page, 'lte');
  await card.waitFor();
  assert.equal(await card.getAttribute('data-state'), 'up');
  background(bulk(lab, { dir: 'down', seconds: 8 }));
  await sleep(1500);
  const t0 = Date.now();
  await lab.cut(2);
  try {
    await page.waitForSelector('li.bond-link[data-link="lte"][data-state="down"]', { timeout: 2000 });
    const ms = Date.now() - t0;
    assert.ok(ms <= 2000, `shown as down after ${ms} ms`);
    assert.match(await card.locator('[data-field=state]').textContent() ?? '', /Down/);
    // screen readers hear about it
    assert.match(await page.locator('.bond-sr-only[aria-live]').textContent() ?? '', /lte: Down/);
    await page.screenshot({ path: join(ARTIFACTS, 'status-link-down.png'), fullPage: true });
  } finally {
    await lab.restore(2);
  }
  await page.waitForSelector('li.bond-link[data-link="lte"][data-state="up"]', { timeout: 15_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('"Take out of use" disables a link in the daemon until "Use again"', { skip }, async () => {
  const { page, errors } = await ui.open(dev.url);
  const card = linkCard(page, 'sat');
  await card.waitFor();
  await card.getByRole('button', { name: 'Take out of use' }).click();
  await page.waitForSelector('li.bond-link[data-link="sat"][data-state="disabled"]', { timeout: 3000 });
  assert.equal((await bond.status('client')).links.find((l) => l.name === 'sat')?.state, 'disabled');
  await card.getByRole('button', { name: 'Use again' }).click();
  await page.waitForSelector('li.bond-link[data-link="sat"][data-state="up"]', { timeout: 15_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('editing a link and adding one, then Save & Apply, writes the right UCI', { skip }, async () => {
  const before = parseUci(configFile(), { name: 'bonding' });
  const { page, errors } = await ui.open(dev.url);
  await page.click('#bond-tab-settings');
  const dsl = page.locator('fieldset.bond-link-editor[data-link="dsl"]');
  await dsl.getByLabel('Role').selectOption('backup');
  await dsl.getByLabel('Download ceiling (Mbit/s)').fill('50');
  // a new link, on a netifd interface picked from the list
  await page.click('#bond-add-link');
  const added = page.locator('fieldset.bond-link-editor').last();
  await added.getByLabel('Name').fill('lte2');
  await added.getByLabel('Interface').selectOption('wan3');
  await added.getByLabel('Upload ceiling (Mbit/s)').fill('5');
  await page.click('.cbi-page-actions .cbi-button-apply');
  const after = await until('the config to change', () => {
    const pkg = parseUci(configFile(), { name: 'bonding' });
    return section(pkg, 'lte2') ? pkg : undefined;
  });
  assert.deepEqual(section(after, 'dsl'), { ...section(before, 'dsl'), role: 'backup', max_down: '50' });
  assert.deepEqual(section(after, 'lte2'), { interface: 'wan3', max_up: '5' });
  for (const s of before.sections.filter((x) => x.name !== 'dsl')) assert.deepEqual(section(after, s.name), section(before, s.name), `section ${s.name} unchanged`);
  assert.deepEqual(after.sections.map((s) => s.name), [...before.sections.map((s) => s.name), 'lte2']);
  // applied with rollback protection and confirmed, as LuCI does
  await until('the apply to be confirmed', () => dev.ubus.log.some((c) => c.object === 'uci' && c.method === 'confirm' && c.ok));
  assert.ok(dev.ubus.log.some((c) => c.object === 'uci' && c.method === 'apply' && c.ok));
  // after the apply, LuCI reloads the page: the form shows what is in the file
  await page.waitForSelector('fieldset.bond-link-editor[data-link="lte2"]', { timeout: 10_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('invalid input shows an error next to the field and writes nothing', { skip }, async () => {
  const text = configFile();
  const calls = dev.ubus.log.length;
  const { page, errors } = await ui.open(dev.url, { query: 'theme=dark' });
  await page.click('#bond-tab-settings');
  await page.getByLabel('Port').fill('70000');
  const dsl = page.locator('fieldset.bond-link-editor[data-link="dsl"]');
  await dsl.getByLabel('Download ceiling (Mbit/s)').fill('fast');
  await page.click('.cbi-page-actions .cbi-button-apply');
  const alert = page.locator('#bond-errors[role=alert]');
  await alert.waitFor();
  // the messages are bondd check's own (src/config)
  assert.match(await alert.textContent() ?? '', /2 problems/);
  assert.match(await page.locator('[data-field="main.port"] .bond-field-error').textContent() ?? '', /must be an integer from 1 to 65535/);
  assert.match(await dsl.locator('.bond-field-error').first().textContent() ?? '', /max_down.*must be a positive number of Mbit\/s/);
  assert.equal(await page.getByLabel('Port').getAttribute('aria-invalid'), 'true');
  // keyboard users land on the first field to fix
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'bond-main-port');
  await page.screenshot({ path: join(ARTIFACTS, 'settings-errors-desktop-dark.png'), fullPage: true });
  await sleep(1500);
  assert.equal(configFile(), text, 'the config file is unchanged');
  const writes = dev.ubus.log.slice(calls).filter((c) => c.object === 'uci' && c.method !== 'get');
  assert.deepEqual(writes, [], 'no uci call other than get');
  // fixing the field clears its error at once
  await page.getByLabel('Port').fill('7010');
  await page.waitForSelector('[data-field="main.port"] .bond-field-error', { state: 'detached' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a read-only user sees the status but cannot change anything', { skip }, async () => {
  const { page, errors } = await ui.open(dev.url, { user: 'viewer' });
  await linkCard(page, 'dsl').waitFor();
  assert.equal(await page.locator('li.bond-link button').count(), 0, 'no take-out-of-use buttons');
  await page.click('#bond-tab-settings');
  assert.equal(await page.getByLabel('Port').isDisabled(), true, 'the form is disabled');
  assert.equal(await page.locator('#bond-add-link').isDisabled(), true);
  assert.equal(await page.locator('.cbi-page-actions .cbi-button-apply').isDisabled(), true);
  // and the router refuses it too (the ACL's read part has no set_link and no uci write)
  const sid = await page.evaluate(() => (window as unknown as { L: { env: { sessionid: string } } }).L.env.sessionid);
  const call = (object: string, method: string, args: object) =>
    fetch(`${dev.origin}/ubus`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call', params: [sid, object, method, args] }) }).then((r) => r.json() as Promise<{ error?: { code: number } }>);
  assert.equal((await call('bonding', 'set_link', { name: 'dsl', enabled: false })).error?.code, -32002);
  assert.equal((await call('uci', 'set', { config: 'bonding', section: 'main', values: { port: '1' } })).error?.code, -32002);
  assert.equal((await call('bonding', 'reload', {})).error?.code, -32002);
  assert.deepEqual(errors, []);
  await page.close();
});

test('keyboard: the tabs follow the arrow keys; every string is translatable', { skip }, async () => {
  const { page, errors } = await ui.open(dev.url, { query: 'lang=xx' });
  await page.focus('#bond-tab-status');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('#bond-tab-settings').getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'bond-tab-settings');
  assert.equal(await page.locator('#bond-panel-status').isHidden(), true);
  // the pseudo-language marks every string that went through _(): look for any that did not
  const untranslated = await page.evaluate(() => {
    const sel = '.bond-app h2, .bond-app h3, .bond-app dt, .bond-app label, .bond-app button, .bond-app legend, .bond-app [role=tab], .bond-app .cbi-value-description, .bond-app option, .bond-app p';
    return [...document.querySelectorAll(sel)]
      .map((e) => (e.textContent ?? '').trim())
      .filter((t) => t && !t.includes('⟦'));
  });
  assert.deepEqual(untranslated, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('screenshots: desktop and phone, light and dark', { skip }, async () => {
  background(bulk(lab, { dir: 'down', seconds: 60, flows: 2 }));
  for (const [w, h, kind] of [[1280, 900, 'desktop'], [390, 844, 'phone']] as const) {
    for (const dark of [false, true]) {
      const { page, errors } = await ui.open(dev.url, { width: w, height: h, dark });
      await linkCard(page, 'dsl').waitFor();
      await sleep(8000); // some seconds of lines in the charts
      const theme = dark ? 'dark' : 'light';
      await page.screenshot({ path: join(ARTIFACTS, `status-${kind}-${theme}.png`), fullPage: true });
      await page.click('#bond-tab-settings');
      await page.screenshot({ path: join(ARTIFACTS, `settings-${kind}-${theme}.png`), fullPage: true });
      // nothing wider than the screen
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${kind} ${theme}: the page is ${overflow} px wider than the screen`);
      assert.deepEqual(errors, []);
      await page.close();
    }
  }
});

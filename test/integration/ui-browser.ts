// Headless Chromium for the LuCI page's browser tests: Debian's chromium driven by
// playwright-core (no browser download). Missing pieces make the tests skip and say what to
// install, rather than fail.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO } from '../lab/paths.js';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(REPO, 'test-artifacts/ui');

// The flags this workplace's sandbox needs: no GPU, no QUIC, and none of Chromium's own
// background connections (the closed network refuses them by the dozen).
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function browserMissing(): Promise<string | false> {
  if (!existsSync(CHROMIUM)) return `missing: ${CHROMIUM} (Debian package chromium: apt-get install -y chromium)`;
  try {
    await import('playwright-core');
  } catch {
    return 'missing: the npm package playwright-core (npm ci installs it)';
  }
  return false;
}

export class UiBrowser {
  private constructor(private readonly ctx: BrowserContext, private readonly profile: string) {}

  // A persistent context on a new, empty profile directory: nothing carries over between runs.
  static async start(): Promise<UiBrowser> {
    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(join(tmpdir(), 'bond-ui-chromium-'));
    const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
    mkdirSync(ARTIFACTS, { recursive: true });
    return new UiBrowser(ctx, profile);
  }

  get browser(): Browser | null {
    return this.ctx.browser();
  }

  /** A new page logged in to the dev UI; console errors and page errors are collected. */
  async open(url: string, o: { user?: string; width?: number; height?: number; dark?: boolean; query?: string } = {}): Promise<{ page: Page; errors: string[] }> {
    await this.ctx.clearCookies(); // each page logs in as its own user
    const page = await this.ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/favicon|status of 40[34]/.test(m.text())) errors.push(`console: ${m.text()}`);
    });
    await page.setViewportSize({ width: o.width ?? 1280, height: o.height ?? 900 });
    await page.emulateMedia({ colorScheme: o.dark ? 'dark' : 'light' });
    await page.goto(url + (o.query ? `?${o.query}` : ''));
    await page.fill('#luci_username', o.user ?? 'root');
    await page.fill('#luci_password', '');
    await page.click('button[type=submit]');
    await page.waitForSelector('.bond-root', { timeout: 10_000 });
    return { page, errors };
  }

  async close(): Promise<void> {
    await this.ctx.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

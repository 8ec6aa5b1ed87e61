// Client.recheckLinks, which netifd's announcements call: the client asks its resolver again at
// once, also when the announcement arrives while a check is under way. The resolver here never
// reports a usable link, so nothing is routed and no root is needed; the client is not started
// (no TUN device) and is not stopped either (stop() flushes the system's bond routes): only its
// bond's timers are.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { Client, type LinkResolver } from '../../src/device/client.js';
import { Log } from '../../src/log.js';
import type { ClientConfig, LinkConfig } from '../../src/config/types.js';
import { DISABLED_CLIENT, tempDir, writeConfig } from './ubus-bonding-helpers.js';
import { until } from '../lab/wait.js';

test('recheckLinks asks the resolver again now, and once more when it came during a check', async () => {
  const tmp = tempDir('ubus-client');
  const { config } = loadConfig(writeConfig(tmp.dir, DISABLED_CLIENT.replace("option enabled '0'", "option enabled '1'")));
  assert.ok(config?.mode === 'client');
  const asked: string[] = [];
  let release: (() => void) | undefined;
  const resolver: LinkResolver = {
    async resolve(cfg: LinkConfig) {
      asked.push(cfg.name);
      if (asked.length === 1) await new Promise<void>((r) => (release = r));
      return { why: 'not in this test' };
    },
  };
  const client = new Client(config as ClientConfig, new Log('error', () => undefined), resolver);
  try {
    // reload() adds the links and checks them; the first answer is held back.
    const reloading = client.reload(config as ClientConfig);
    await until('the first check', () => release !== undefined);
    client.recheckLinks();
    client.recheckLinks();
    release!();
    await reloading;
    await until('the check that the announcement asked for', () => asked.length === 4);
    assert.deepEqual(asked, ['lte1', 'dsl', 'lte1', 'dsl']);

    client.recheckLinks();
    await until('an immediate check', () => asked.length === 6);
    assert.deepEqual(client.linkInfo().map((l) => [l.cfg.name, l.why]), [['lte1', 'not in this test'], ['dsl', 'not in this test']]);
  } finally {
    client.bond.stop();
    tmp.remove();
  }
});

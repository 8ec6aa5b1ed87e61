// The built daemon (dist/bondd.js, from `node scripts/build.mjs`) on ubus, without root: with
// `option enabled '0'` it starts no tunnel (no TUN device, no routes) but publishes `bonding`
// and answers every method. MiniUbusd stands in for ubusd; this process plays the `ubus` CLI.
// The bundle is copied first, since a concurrent build may rewrite dist/ while this runs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UbusClient } from '../../src/ubus/client.js';
import { MsgType } from '../../src/ubus/message.js';
import { UbusError, UbusStatus } from '../../src/ubus/status.js';
import { MiniUbusd } from './ubus-bonding-ubusd.js';
import { tempDir, writeConfig } from './ubus-bonding-helpers.js';
import { BONDD } from '../lab/paths.js';
import { until } from '../lab/wait.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bondd(bundle: string, args: string[]) {
  const child = spawn(process.execPath, [bundle, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, ...out })));
  return { child, out, done };
}

test('bondd publishes bonding on ubus, answers it, refuses a second instance and leaves on SIGTERM', { skip: !existsSync(BONDD) && 'dist/bondd.js is not built' }, async () => {
  const tmp = tempDir('ubus-daemon');
  const bundle = join(tmp.dir, 'bondd.js');
  copyFileSync(BONDD, bundle);
  writeFileSync(join(tmp.dir, 'package.json'), '{ "type": "commonjs" }\n');
  const config = writeConfig(tmp.dir);
  const ubusd = await MiniUbusd.start();
  const cli = await UbusClient.connect(ubusd.path);
  const control = join(tmp.dir, 'control.sock');
  const daemon = bondd(bundle, ['--config', config, '--control', control, '--ubus-socket', ubusd.path]);
  try {
    await until('bonding on ubus', () => ubusd.paths().includes('bonding'), 10_000).catch((err: Error) => {
      throw new Error(`${err.message}; bondd said:\n${daemon.out.stderr}`);
    });
    const [info] = await cli.list('bonding');
    assert.deepEqual(info?.signature, { status: {}, links: {}, reload: {}, set_link: { name: 'string', enabled: 'bool' } });

    const status = await cli.call('bonding', 'status');
    assert.equal(status.mode, 'client');
    assert.equal(status.state, 'down');
    assert.equal(status.server, '192.0.2.7:7010');
    assert.deepEqual(await cli.call('bonding', 'links'), { links: [] });
    assert.deepEqual(await cli.call('bonding', 'reload'), { ok: true, warnings: [] });
    await assert.rejects(cli.call('bonding', 'set_link', { name: 'lte1', enabled: true }), (e: unknown) => e instanceof UbusError && e.code === UbusStatus.NOT_FOUND);
    await assert.rejects(cli.call('bonding', 'set_link', { name: 'lte1' }), (e: unknown) => e instanceof UbusError && e.code === UbusStatus.INVALID_ARGUMENT);

    // `bondd status` goes through ubus when the socket is there (no --control given)...
    const statusCalls = () => ubusd.sent(MsgType.INVOKE, 'status').filter((r) => r.client !== cli.clientId).length;
    const viaUbus = await bondd(bundle, ['status', '--json', '--ubus-socket', ubusd.path]).done;
    assert.equal(viaUbus.code, 0, viaUbus.stderr);
    assert.deepEqual(JSON.parse(viaUbus.stdout), await cli.call('bonding', 'status'));
    assert.equal(statusCalls(), 1);
    // ...and an explicit --control asks that daemon's socket.
    const viaControl = await bondd(bundle, ['status', '--json', '--control', control, '--ubus-socket', ubusd.path]).done;
    assert.equal(viaControl.code, 0, viaControl.stderr);
    assert.equal(JSON.parse(viaControl.stdout).server, '192.0.2.7:7010');
    assert.equal(statusCalls(), 1);
    const table = await bondd(bundle, ['status', '--ubus-socket', ubusd.path]).done;
    assert.match(table.stdout, /bond client: down/);

    // A second daemon on the same ubus stops at once.
    const second = await bondd(bundle, ['--config', config, '--control', join(tmp.dir, 'control2.sock'), '--ubus-socket', ubusd.path]).done;
    assert.equal(second.code, 1);
    assert.match(second.stderr, /object 'bonding' is taken: another bondd is running/);
    assert.deepEqual(ubusd.paths().filter((p) => p === 'bonding'), ['bonding']);

    daemon.child.kill('SIGTERM');
    const end = await daemon.done;
    assert.equal(end.code, 0, end.stderr);
    await until('bonding to leave ubus', () => !ubusd.paths().includes('bonding'));
  } finally {
    daemon.child.kill('SIGKILL');
    await cli.close();
    await ubusd.close();
    tmp.remove();
  }
});

test('without a ubus socket bondd runs as before and `bondd status` uses the control socket', { skip: !existsSync(BONDD) && 'dist/bondd.js is not built' }, async () => {
  const tmp = tempDir('no-ubusd');
  const bundle = join(tmp.dir, 'bondd.js');
  copyFileSync(BONDD, bundle);
  writeFileSync(join(tmp.dir, 'package.json'), '{ "type": "commonjs" }\n');
  const control = join(tmp.dir, 'control.sock');
  const noUbus = join(tmp.dir, 'ubus.sock');
  const daemon = bondd(bundle, ['--config', writeConfig(tmp.dir), '--control', control, '--ubus-socket', noUbus]);
  try {
    await until('the daemon', () => /running/.test(daemon.out.stderr), 10_000);
    assert.doesNotMatch(daemon.out.stderr, /ubus:/);
    const s = await bondd(bundle, ['status', '--json', '--control', control, '--ubus-socket', noUbus]).done;
    assert.equal(s.code, 0, s.stderr);
    assert.equal(JSON.parse(s.stdout).state, 'down');
    daemon.child.kill('SIGTERM');
    assert.equal((await daemon.done).code, 0);
  } finally {
    daemon.child.kill('SIGKILL');
    tmp.remove();
  }
});

// The control API's dispatch (src/control/api.ts), shared by the control socket and ubus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, type Api } from '../../src/control/api.js';

const calls: string[] = [];
const api: Api = {
  status: () => (calls.push('status'), { state: 'up' }),
  links: () => (calls.push('links'), []),
  reload: async () => (calls.push('reload'), {}),
  setLink: (name, enabled) => (calls.push(`setLink ${name} ${enabled}`), {}),
};

test('methods run with checked arguments; names from Object.prototype are not methods', async () => {
  assert.deepEqual(await call(api, 'status', {}), { state: 'up' });
  await call(api, 'set_link', { name: 'lte', enabled: false });
  for (const m of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    await assert.rejects(call(api, m, { name: 'lte', enabled: true }), { code: 'METHOD_NOT_FOUND' }, m);
  }
  await assert.rejects(call(api, 'set_link', { name: 'lte', enabled: 'yes' }), { code: 'INVALID_ARGUMENT' });
  assert.deepEqual(calls, ['status', 'setLink lte false']);
});

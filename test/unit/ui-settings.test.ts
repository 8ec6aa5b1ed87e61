// The settings form's model: UCI sections (as LuCI's uci.js holds them) → form → the
// sections and uci.js calls a save makes, and validation with bondd check's rules, each
// problem put next to its field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UciSectionObject } from '../../luci-app-bond/src/luci.js';
import { formSections, newLink, readForm, uciOps } from '../../luci-app-bond/src/settings/model.js';
import { serialize, validate } from '../../luci-app-bond/src/settings/validate.js';
import { DEFAULT_CONFIG, parseConfigText } from '../../src/config/load.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

function sections(): UciSectionObject[] {
  let i = 0;
  const s = (type: string, name: string, o: Record<string, string | string[]>, anonymous = false) =>
    ({ '.type': type, '.name': name, '.anonymous': anonymous, '.index': i++, ...o }) as UciSectionObject;
  return [
    s('bonding', 'main', { enabled: '1', mode: 'client', server: 'vps.example.net', key: KEY, log_level: 'debug' }),
    s('link', 'wan', { interface: 'wan', role: 'primary', gateway: '192.0.2.1' }),
    s('link', 'lte', { device: 'wwan0', max_down: '50' }),
  ];
}

test('an untouched form changes nothing', () => {
  const secs = sections();
  const form = readForm(secs);
  assert.equal(form.main.scheduler, 'adaptive');
  assert.equal(form.links[1]!.source, 'device');
  assert.deepEqual(uciOps(secs, formSections(secs, form)), []);
  assert.deepEqual(validate(form, formSections(secs, form)), []);
});

test('edits, a new link and a removed one become uci.js calls; other options stay', () => {
  const secs = sections();
  const form = readForm(secs);
  form.main.port = ' 7011 ';
  form.main.scheduler = 'failover';
  form.links[0]!.role = 'backup';
  form.links[0]!.max_up = '10';
  form.links = form.links.filter((l) => l.name !== 'lte');
  const l = newLink(form, 'wwan');
  l.max_down = '20';
  form.links.push(l);
  const target = formSections(secs, form);
  const main = target.find((s) => s.key === 'main')!;
  assert.deepEqual(Object.fromEntries(main.options), { enabled: '1', mode: 'client', server: 'vps.example.net', key: KEY, log_level: 'debug', port: '7011', scheduler: 'failover' });
  const wan = target.find((s) => s.sid === 'wan')!;
  assert.deepEqual(Object.fromEntries(wan.options), { interface: 'wan', role: 'backup', gateway: '192.0.2.1', max_up: '10' });
  assert.deepEqual(uciOps(secs, target), [
    { op: 'remove', sid: 'lte' },
    { op: 'set', sid: 'main', option: 'port', value: '7011' },
    { op: 'set', sid: 'main', option: 'scheduler', value: 'failover' },
    { op: 'set', sid: 'wan', option: 'role', value: 'backup' },
    { op: 'set', sid: 'wan', option: 'max_up', value: '10' },
    { op: 'add', type: 'link', name: 'wwan', key: l.id },
    { op: 'set', sid: { key: l.id }, option: 'interface', value: 'wwan' },
    { op: 'set', sid: { key: l.id }, option: 'max_down', value: '20' },
  ]);
});

test('switching a link between interface and device drops the other option', () => {
  const secs = sections();
  const form = readForm(secs);
  form.links[1]!.source = 'interface';
  form.links[1]!.interface = 'wwan';
  const ops = uciOps(secs, formSections(secs, form));
  assert.deepEqual(ops, [
    { op: 'set', sid: 'lte', option: 'interface', value: 'wwan' },
    { op: 'set', sid: 'lte', option: 'device', value: null },
  ]);
});

test('validation is bondd check: the same problems, placed at their fields', () => {
  const secs = sections();
  const form = readForm(secs);
  form.main.port = '70000';
  form.main.key = 'short';
  form.links[0]!.max_down = 'fast';
  form.links[1]!.source = 'interface';
  form.links[1]!.interface = 'wan'; // the same interface twice
  (secs[0] as Record<string, unknown>).foo = 'bar';
  const target = formSections(secs, form);
  const problems = validate(form, target);
  const { text } = serialize(target);
  const check = parseConfigText(text, DEFAULT_CONFIG).problems;
  assert.deepEqual(problems.map((p) => p.message), check.map((p) => p.message), 'the messages are parseConfigText\'s');
  const at = Object.fromEntries(problems.filter((p) => p.severity === 'error').map((p) => [p.field, p.message]));
  assert.match(at['main.port']!, /must be an integer from 1 to 65535/);
  assert.match(at['main.key']!, /32 bytes in base64/);
  assert.doesNotMatch(at['main.key']!, /short/, 'a key is never shown in a message');
  assert.match(at[`${form.links[0]!.id}.max_down`]!, /positive number of Mbit\/s/);
  assert.match(at[`${form.links[1]!.id}.source`]!, /uses interface 'wan' like link 'wan'/);
  assert.ok(problems.some((p) => p.severity === 'warning' && /unknown option 'foo'/.test(p.message)), 'warnings pass through');
});

test('a missing option is shown at its field; a new link needs a valid, unused name', () => {
  const secs = sections();
  const form = readForm(secs);
  form.main.server = '';
  const l = newLink(form);
  l.name = 'bad name';
  form.links.push(l);
  let problems = validate(form, formSections(secs, form));
  assert.deepEqual(problems.map((p) => p.field), [`${l.id}.name`], 'names first: an invalid one would not even parse');
  l.name = 'wan';
  problems = validate(form, formSections(secs, form));
  assert.deepEqual(problems.map((p) => p.field), [`${l.id}.name`]);
  l.name = 'third';
  problems = validate(form, formSections(secs, form)).filter((p) => p.severity === 'error');
  assert.deepEqual(problems.map((p) => p.field).sort(), [`${l.id}.source`, 'main.server'].sort());
});

test('a file without a bonding section gets one called main', () => {
  const form = readForm([]);
  form.main.server = 'vps.example.net';
  form.main.key = KEY;
  form.links.push({ ...newLink(form, 'wan') });
  const target = formSections([], form);
  assert.deepEqual(target.map((s) => [s.type, s.name]), [['bonding', 'main'], ['link', 'wan']]);
  assert.deepEqual(validate(form, target).filter((p) => p.severity === 'error'), []);
});

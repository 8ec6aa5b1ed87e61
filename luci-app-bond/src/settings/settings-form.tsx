// The Settings tab: the bonding section and one block per link. Saving is LuCI's (the
// footer's Save & Apply calls the view's handlers, which read this form's store).
import { useState } from 'preact/hooks';
import type { NetifdInterface } from '../api.js';
import type { SettingsStore } from './store.js';
import { MODES, ROLES, SCHEDULERS } from '../../../src/config/types.js';
import { newLink, type LinkForm } from './model.js';
import type { Problem } from './validate.js';
import { Field, Select, Text, domId } from './fields.js';
import { generateKey } from './key.js';
import { roleLabel, schedulerLabel } from '../status/labels.js';
import { _, format } from '../i18n.js';

const DEVICE = '\u0000device'; // the select entry that switches a link to a kernel device

export interface SettingsFormProps {
  store: SettingsStore;
  interfaces: NetifdInterface[];
  readonly: boolean;
}

function errorFor(problems: Problem[], field: string): string | undefined {
  const list = problems.filter((p) => p.field === field && p.severity === 'error');
  return list.length ? list.map((p) => p.message).join('; ') : undefined;
}

function modeLabel(m: string): string {
  return m === 'server' ? _('Server (VPS)') : _('Client (router)');
}

function Summary({ problems }: { problems: Problem[] }) {
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.filter((p) => p.severity === 'warning');
  if (!errors.length && !warnings.length) return null;
  return (
    <div class="bond-problems">
      {errors.length ? (
        <div class="alert-message error" role="alert" id="bond-errors">
          <h4>{format(errors.length === 1 ? _('%d problem: nothing was saved') : _('%d problems: nothing was saved'), errors.length)}</h4>
          <ul>
            {errors.map((p, i) => (
              <li key={i}>{p.field ? <a href={`#${domId(p.field)}`}>{p.message}</a> : <>{p.where}: {p.message}</>}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {warnings.length ? (
        <div class="alert-message warning" role="status">
          <h4>{_('Warnings')}</h4>
          <ul>
            {warnings.map((p, i) => (
              <li key={i}>
                {p.where}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

function interfaceOptions(interfaces: NetifdInterface[], current: string): [string, string][] {
  const list: [string, string][] = interfaces
    .filter((i) => i.interface !== 'loopback')
    .map((i) => {
      const dev = i.l3_device ?? i.device;
      const state = i.up ? _('up') : _('down');
      return [i.interface, dev ? `${i.interface} (${dev}, ${state})` : `${i.interface} (${state})`];
    });
  if (current && !list.some(([v]) => v === current)) list.unshift([current, format(_('%s (not in /etc/config/network)'), current)]);
  if (!current) list.unshift(['', _('-- choose an interface --')]);
  list.push([DEVICE, _('Other: a kernel device…')]);
  return list;
}

interface LinkEditorProps {
  link: LinkForm;
  index: number;
  problems: Problem[];
  interfaces: NetifdInterface[];
  change: (fn: (l: LinkForm) => void) => void;
  remove: () => void;
}

function LinkEditor({ link, index, problems, interfaces, change, remove }: LinkEditorProps) {
  const sectionErrors = problems.filter((p) => p.field === link.id && p.severity === 'error');
  const legendId = `${domId(link.id)}-legend`;
  return (
    <fieldset class="bond-card bond-link-editor" id={domId(link.id)} data-link={link.name} aria-labelledby={legendId}>
      <legend id={legendId}>{link.sid ? format(_('Link %s'), link.name) : format(_('New link %d'), index + 1)}</legend>
      {sectionErrors.map((p, i) => (
        <p key={i} class="bond-field-error">
          {p.message}
        </p>
      ))}
      {link.sid ? null : (
        <Field field={`${link.id}.name`} label={_('Name')} error={errorFor(problems, `${link.id}.name`)} help={_('The name of the link in the configuration and in the status (letters, digits, _).')}>
          {(a) => <Text a11y={a} value={link.name} onInput={(v) => change((l) => (l.name = v))} />}
        </Field>
      )}
      <Field field={`${link.id}.enabled`} label={_('Enabled')}>
        {(a) => <input {...a} type="checkbox" checked={link.enabled} onChange={(e) => change((l) => (l.enabled = (e.currentTarget as HTMLInputElement).checked))} />}
      </Field>
      <Field
        field={`${link.id}.source`}
        label={_('Interface')}
        error={errorFor(problems, `${link.id}.source`)}
        help={link.source === 'interface' ? _('The network interface of this WAN; its device, address and gateway come from netifd.') : undefined}
      >
        {(a) => (
          <Select
            a11y={a}
            value={link.source === 'device' ? DEVICE : link.interface}
            options={interfaceOptions(interfaces, link.source === 'interface' ? link.interface : '')}
            onChange={(v) =>
              change((l) => {
                if (v === DEVICE) l.source = 'device';
                else {
                  l.source = 'interface';
                  l.interface = v;
                }
              })
            }
          />
        )}
      </Field>
      {link.source === 'device' ? (
        <Field field={`${link.id}.device`} label={_('Device')} error={errorFor(problems, `${link.id}.device`)} help={_('A kernel network device such as eth1; address and gateway are read from the kernel.')}>
          {(a) => <Text a11y={a} value={link.device} placeholder="eth1" onInput={(v) => change((l) => (l.device = v))} />}
        </Field>
      ) : null}
      <Field
        field={`${link.id}.role`}
        label={_('Role')}
        error={errorFor(problems, `${link.id}.role`)}
        help={_('Secondary links carry traffic when the primaries are full, backup links only when every primary is down.')}
      >
        {(a) => <Select a11y={a} value={link.role} options={ROLES.map((r) => [r, roleLabel(r)])} onChange={(v) => change((l) => (l.role = v))} />}
      </Field>
      <Field field={`${link.id}.max_down`} label={_('Download ceiling (Mbit/s)')} error={errorFor(problems, `${link.id}.max_down`)} help={_('Optional. Leave empty to let the bond measure the link.')}>
        {(a) => <Text a11y={a} value={link.max_down} inputMode="decimal" placeholder={_('unlimited')} onInput={(v) => change((l) => (l.max_down = v))} />}
      </Field>
      <Field field={`${link.id}.max_up`} label={_('Upload ceiling (Mbit/s)')} error={errorFor(problems, `${link.id}.max_up`)}>
        {(a) => <Text a11y={a} value={link.max_up} inputMode="decimal" placeholder={_('unlimited')} onInput={(v) => change((l) => (l.max_up = v))} />}
      </Field>
      <div class="bond-editor-actions">
        <button type="button" class="cbi-button cbi-button-remove" onClick={remove}>
          {format(_('Remove link %s'), link.name)}
        </button>
      </div>
    </fieldset>
  );
}

export function SettingsForm({ store, interfaces, readonly }: SettingsFormProps) {
  const [showKey, setShowKey] = useState(false);
  const { form, problems } = store;
  const main = form.main;
  const set = (fn: () => void) => store.update(fn);
  const err = (f: string) => errorFor(problems, f);
  const mainErrors = problems.filter((p) => p.field === 'main' && p.severity === 'error');
  const client = main.mode === 'client';

  const addLink = () => {
    const used = new Set(form.links.map((l) => l.interface));
    const free = interfaces.find((i) => i.interface !== 'loopback' && i.interface !== 'lan' && !used.has(i.interface));
    const link = newLink(form, free?.interface ?? '');
    set(() => form.links.push(link));
    // the new block's first control, for keyboard users who pressed the button
    requestAnimationFrame(() => document.getElementById(domId(`${link.id}.name`))?.focus());
  };
  const removeLink = (id: string) => {
    set(() => (form.links = form.links.filter((l) => l.id !== id)));
    requestAnimationFrame(() => document.getElementById('bond-add-link')?.focus());
  };

  return (
    <div class="bond-settings" id="bond-settings">
      <Summary problems={problems} />
      {readonly ? (
        <p class="alert-message notice" role="status">
          {_('You may look at these settings but not change them.')}
        </p>
      ) : null}
      <fieldset class="bond-plain" disabled={readonly}>
        <section class="cbi-section bond-section" aria-labelledby="bond-h-general">
          <h3 id="bond-h-general">{_('General')}</h3>
          {mainErrors.map((p, i) => (
            <p key={i} class="bond-field-error">
              {p.message}
            </p>
          ))}
          <div class="cbi-section-node">
            <Field field="main.enabled" label={_('Enabled')} error={err('main.enabled')}>
              {(a) => <input {...a} type="checkbox" checked={main.enabled} onChange={(e) => set(() => (main.enabled = (e.currentTarget as HTMLInputElement).checked))} />}
            </Field>
            <Field field="main.mode" label={_('Mode')} error={err('main.mode')} help={client ? undefined : _('Listen address, tunnel subnet and peers of a server are kept in /etc/config/bonding; this page shows the client settings.')}>
              {(a) => <Select a11y={a} value={main.mode} options={MODES.map((m) => [m, modeLabel(m)])} onChange={(v) => set(() => (main.mode = v))} />}
            </Field>
            {client ? (
              <Field field="main.server" label={_('Server')} error={err('main.server')} help={_('Host name or address of the bonding server (your VPS).')}>
                {(a) => <Text a11y={a} value={main.server} placeholder="vps.example.net" onInput={(v) => set(() => (main.server = v))} />}
              </Field>
            ) : null}
            <Field field="main.port" label={_('Port')} error={err('main.port')} help={_('UDP port of the server (default 7010).')}>
              {(a) => <Text a11y={a} value={main.port} inputMode="numeric" placeholder="7010" onInput={(v) => set(() => (main.port = v))} />}
            </Field>
            {client ? (
              <Field field="main.key" label={_('Key')} error={err('main.key')} help={_('The same key is in this router\u2019s peer section on the server.')}>
                {(a) => (
                  <div class="bond-key">
                    <Text a11y={a} type={showKey ? 'text' : 'password'} autoComplete="new-password" value={main.key} onInput={(v) => set(() => (main.key = v))} />
                    <button type="button" class="cbi-button cbi-button-neutral" aria-pressed={showKey} aria-controls={a.id} onClick={() => setShowKey(!showKey)}>
                      {showKey ? _('Hide') : _('Show')}
                    </button>
                    <button type="button" class="cbi-button cbi-button-action" aria-controls={a.id} onClick={() => set(() => (main.key = generateKey()))}>
                      {_('Generate')}
                    </button>
                  </div>
                )}
              </Field>
            ) : null}
            <Field field="main.scheduler" label={_('Scheduler')} error={err('main.scheduler')} help={_('Adaptive sends each packet where it arrives first; failover uses one link at a time; redundant sends everything twice.')}>
              {(a) => <Select a11y={a} value={main.scheduler} options={SCHEDULERS.map((s) => [s, schedulerLabel(s)])} onChange={(v) => set(() => (main.scheduler = v))} />}
            </Field>
          </div>
        </section>
        {client ? (
          <section class="cbi-section bond-section" aria-labelledby="bond-h-links-edit">
            <h3 id="bond-h-links-edit">{_('Links')}</h3>
            <p class="cbi-section-descr">{_('One link per internet connection (WAN) that the bond may use.')}</p>
            {form.links.map((l, i) => (
              <LinkEditor
                key={l.id}
                link={l}
                index={i}
                problems={problems}
                interfaces={interfaces}
                change={(fn) => set(() => fn(l))}
                remove={() => removeLink(l.id)}
              />
            ))}
            <div class="cbi-section-create">
              <button type="button" id="bond-add-link" class="cbi-button cbi-button-add" onClick={addLink}>
                {_('Add link')}
              </button>
            </div>
          </section>
        ) : null}
      </fieldset>
    </div>
  );
}

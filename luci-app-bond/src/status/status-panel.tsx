// The Status tab: the tunnel, the throughput of the last minutes, and a card per link.
import type { Status } from './types.js';
import type { History } from './history.js';
import { Chart, Legend } from './chart.js';
import { LinkCard } from './link-card.js';
import { formatDuration, formatRate } from './format.js';
import { schedulerLabel, stateLabel, stateTone } from './labels.js';
import { _, format } from '../i18n.js';

export interface StatusPanelProps {
  status: Status | null;
  error: string | null;
  history: History;
  now: number;
  colours: (name: string) => number;
  canToggle: boolean;
  onToggle: (name: string, enabled: boolean) => void;
}

function Summary({ status }: { status: Status }) {
  const tone = stateTone(status.state);
  const rows: [string, string, string | preact.JSX.Element][] = [
    ['state', _('State'), <span class={`bond-badge bond-badge-${tone}`}>{stateLabel(status.state)}</span>],
    [status.mode === 'server' ? 'listen' : 'server', status.mode === 'server' ? _('Listening on') : _('Server'), (status.mode === 'server' ? status.listen : status.server) ?? '–'],
    ['uptime', _('Uptime'), status.state === 'connected' || status.mode === 'server' ? formatDuration(status.uptime_s) : '–'],
    ['tunnel', _('Tunnel'), `${status.tunnel.device}${status.tunnel.address ? ` · ${status.tunnel.address}` : ''}`],
    ['scheduler', _('Scheduler'), schedulerLabel(status.scheduler)],
    ['rx', _('Download'), formatRate(status.totals?.rx_bps ?? 0)],
    ['tx', _('Upload'), formatRate(status.totals?.tx_bps ?? 0)],
  ];
  return (
    <dl class="bond-summary" data-state={status.state}>
      {rows.map(([key, label, value]) => (
        <div key={key}>
          <dt>{label}</dt>
          <dd data-field={key}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function StatusPanel({ status, error, history, now, colours, canToggle, onToggle }: StatusPanelProps) {
  const links = status?.links ?? [];
  const names = links.map((l) => l.name);
  const order = names.map(colours);
  return (
    <div class="bond-status">
      {error ? (
        <div class="alert-message warning bond-daemon-error" role="status">
          <p>{_('The bonding daemon does not answer. Is the service running?')}</p>
          <p class="bond-detail">{error}</p>
        </div>
      ) : null}
      <section class="cbi-section bond-section" aria-labelledby="bond-h-tunnel">
        <h3 id="bond-h-tunnel">{_('Tunnel')}</h3>
        {status ? <Summary status={status} /> : <p class="bond-muted">{error ? _('No status') : _('Loading…')}</p>}
      </section>
      {status ? (
        <section class="cbi-section bond-section" aria-labelledby="bond-h-throughput">
          <h3 id="bond-h-throughput">{_('Throughput')}</h3>
          <div class="bond-charts">
            <Chart history={history} links={names} colours={order} dir="rx" now={now} title={_('Download')} />
            <Chart history={history} links={names} colours={order} dir="tx" now={now} title={_('Upload')} />
          </div>
          <Legend links={names} colours={order} />
        </section>
      ) : null}
      {status ? (
        <section class="cbi-section bond-section" aria-labelledby="bond-h-links">
          <h3 id="bond-h-links">{format(_('Links (%d)'), links.length)}</h3>
          {links.length ? (
            <ul class="bond-links">
              {links.map((l) => (
                <LinkCard key={l.name} link={l} colour={colours(l.name)} history={history} now={now} canToggle={canToggle} onToggle={onToggle} />
              ))}
            </ul>
          ) : (
            <p class="bond-muted">{status.mode === 'server' ? _('This is a server: its clients are listed by bondd status.') : _('No links are configured. Add them on the Settings tab.')}</p>
          )}
        </section>
      ) : null}
    </div>
  );
}

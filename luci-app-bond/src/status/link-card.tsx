// One link: where it goes out, its role and state, and its live numbers.
import type { LinkStatus } from './types.js';
import type { History } from './history.js';
import { Chart } from './chart.js';
import { formatMs, formatPct, formatRate } from './format.js';
import { roleLabel, stateLabel, stateTone } from './labels.js';
import { _, format } from '../i18n.js';

export interface LinkCardProps {
  link: LinkStatus;
  colour: number;
  history: History;
  now: number;
  canToggle: boolean;
  onToggle: (name: string, enabled: boolean) => void;
}

export function LinkCard({ link, colour, history, now, canToggle, onToggle }: LinkCardProps) {
  const headingId = `bond-link-${link.name}`;
  const where = [link.interface, link.device].filter(Boolean).join(' · ');
  const tone = stateTone(link.state);
  const disabled = link.state === 'disabled';
  return (
    <li class={`bond-card bond-link bond-tone-${tone}`} data-link={link.name} data-state={link.state} aria-labelledby={headingId}>
      <div class="bond-link-head">
        <span class={`bond-swatch bond-s${colour % 8}`} aria-hidden="true" />
        <h4 id={headingId}>{link.name}</h4>
        <span class={`bond-badge bond-badge-${tone}`} data-field="state">{stateLabel(link.state)}</span>
      </div>
      <p class="bond-link-where">
        {where || _('no device yet')} · <span data-field="role">{roleLabel(link.role)}</span>
        {link.address ? <> · {link.address}</> : null}
      </p>
      {link.state === 'down' && link.reason ? <p class="bond-link-reason">{link.reason}</p> : null}
      <dl class="bond-metrics">
        <div>
          <dt>{_('Download')}</dt>
          <dd data-field="rx">{formatRate(link.rx_bps)}</dd>
        </div>
        <div>
          <dt>{_('Upload')}</dt>
          <dd data-field="tx">{formatRate(link.tx_bps)}</dd>
        </div>
        <div>
          <dt>{_('Share')}</dt>
          <dd data-field="share">{formatPct(link.share_pct)}</dd>
        </div>
        <div>
          <dt>{_('RTT')}</dt>
          <dd data-field="rtt">{link.state === 'up' || link.state === 'degraded' ? formatMs(link.rtt_ms) : '–'}</dd>
        </div>
        <div>
          <dt>{_('Loss')}</dt>
          <dd data-field="loss">{formatPct(link.loss_pct)}</dd>
        </div>
      </dl>
      <div class="bond-link-charts">
        <Chart history={history} links={[link.name]} dir="rx" now={now} total={false} height="small" colours={[colour]} title={format(_('%s download'), link.name)} caption={_('Download')} />
        <Chart history={history} links={[link.name]} dir="tx" now={now} total={false} height="small" colours={[colour]} title={format(_('%s upload'), link.name)} caption={_('Upload')} />
      </div>
      {canToggle ? (
        <div class="bond-link-actions">
          <button type="button" class="cbi-button cbi-button-neutral" onClick={() => onToggle(link.name, disabled)}>
            {disabled ? _('Use again') : _('Take out of use')}
          </button>
        </div>
      ) : null}
    </li>
  );
}

// Throughput over the last minutes as SVG lines: one per link, a heavier one for the total.
// The plot stretches to its box (viewBox with preserveAspectRatio none and non-scaling
// strokes), the labels are HTML around it, so nothing is distorted at any width.
import type { History, Direction } from './history.js';
import { TOTAL } from './history.js';
import { formatRate, niceCeiling } from './format.js';
import { _, format } from '../i18n.js';

const W = 600;
const H = 120;

export interface ChartProps {
  history: History;
  links: string[]; // in display order; their colours follow this order
  dir: Direction;
  now: number;
  title: string;
  total?: boolean; // draw the total line (the overview chart); a link's own chart has none
  height?: 'small' | 'large';
  colours?: number[]; // colour index per entry of links, when it is not the position
  caption?: string; // shown instead of the title (which stays the chart's accessible name)
}

function path(samples: readonly { t: number; rx: number; tx: number }[], dir: Direction, from: number, span: number, max: number) {
  let d = '';
  let x0 = 0;
  let x1 = 0;
  for (const s of samples) {
    const x = Math.max(0, Math.min(W, ((s.t - from) / span) * W));
    const y = H - (Math.min(s[dir], max) / max) * H;
    if (!d) x0 = x;
    x1 = x;
    d += `${d ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
  }
  // the area under the line, closed along the bottom edge
  const area = d ? `${d}L${x1.toFixed(1)},${H}L${x0.toFixed(1)},${H}Z` : '';
  return { d, area };
}

export function Chart({ history, links, dir, now, title, total = true, height = 'large', colours, caption }: ChartProps) {
  // a page opened a few seconds ago draws a minute, not five minutes of nothing
  const span = history.span(now);
  const from = now - span;
  const names = total ? [...links, TOTAL] : links;
  const max = niceCeiling(history.peak(dir, names));
  const lines = names.map((name) => ({ name, ...path(history.get(name), dir, from, span, max) }));
  const current = history.get(total ? TOTAL : links[0] ?? TOTAL).at(-1)?.[dir] ?? 0;
  const minutes = Math.round(span / 60);
  const description = format(_('%s, last %d minutes: now %s, scale up to %s'), title, minutes, formatRate(current), formatRate(max));
  return (
    <figure class={`bond-chart bond-chart-${height}`}>
      <figcaption>
        <span class="bond-chart-title">{caption ?? title}</span>
        {height === 'large' ? <span class="bond-chart-now">{formatRate(current)}</span> : null}
      </figcaption>
      <div class="bond-chart-plot">
        <span class="bond-chart-ymax" aria-hidden="true">{formatRate(max)}</span>
        <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={description} focusable="false">
          {[0.25, 0.5, 0.75].map((f) => (
            <line key={f} class="bond-grid" x1="0" x2={W} y1={H * f} y2={H * f} vector-effect="non-scaling-stroke" />
          ))}
          {lines.map(({ name, d, area }) =>
            name === TOTAL ? (
              <g key="total">
                <path class="bond-area-total" d={area} />
                <path class="bond-line bond-line-total" d={d} vector-effect="non-scaling-stroke" />
              </g>
            ) : (
              <path key={name} class={`bond-line bond-s${(colours?.[links.indexOf(name)] ?? links.indexOf(name)) % 8}`} d={d} vector-effect="non-scaling-stroke" />
            ),
          )}
        </svg>
        <div class="bond-chart-x" aria-hidden="true">
          <span>{format(_('−%d min'), minutes)}</span>
          <span>{_('now')}</span>
        </div>
      </div>
    </figure>
  );
}

export function Legend({ links, colours }: { links: string[]; colours?: number[] }) {
  return (
    <ul class="bond-legend" aria-label={_('Chart legend')}>
      {links.map((name, i) => (
        <li key={name}>
          <span class={`bond-swatch bond-s${(colours?.[i] ?? i) % 8}`} aria-hidden="true" />
          {name}
        </li>
      ))}
      <li key="total">
        <span class="bond-swatch bond-swatch-total" aria-hidden="true" />
        {_('Total')}
      </li>
    </ul>
  );
}

// Client (router) mode: the bonding section's client options and the `link` sections.

import type { UciSection } from '../uci/model.js';
import { SectionReader, sectionLabel, sectionNames, type Problems } from './reader.js';
import { DEFAULT_ROLE, ROLES, type CommonConfig, type ClientConfig, type LinkConfig, type SchedulerName } from './types.js';
import { address, bool, host, ifname, key, mbps, netifdName, oneOf, table } from './values.js';

export const CLIENT_OPTIONS = ['server', 'key', 'default_route'] as const;

type Unique = 'device' | 'interface' | 'table';

// A link and the lines of the options that must be unique among links.
interface LinkRead {
  link: LinkConfig;
  label: string;
  at: Partial<Record<Unique, number>>;
}

function readLink(r: SectionReader, name: string, complete: boolean): LinkRead {
  const iface = r.get('interface', netifdName);
  const device = r.get('device', ifname);
  const tableNo = r.get('table', table);
  const link: LinkConfig = {
    name,
    line: r.line,
    enabled: r.get('enabled', bool)?.value ?? true,
    interface: iface?.value,
    device: device?.value,
    address: r.get('address', address())?.text,
    gateway: r.get('gateway', address())?.text,
    role: r.get('role', oneOf(ROLES))?.value ?? DEFAULT_ROLE,
    maxDownMbps: r.get('max_down', mbps)?.value,
    maxUpMbps: r.get('max_up', mbps)?.value,
    table: tableNo?.value,
  };
  const given = (o: string) => r.section.options.some((x) => x.name === o);
  if (complete && !given('interface') && !given('device')) r.problems.error(r.line, `${r.label} needs option 'interface' (netifd) or 'device' (kernel)`, 'interface');
  r.finish();
  return { link, label: r.label, at: { interface: iface?.line, device: device?.line, table: tableNo?.line } };
}

// Two links must not share what identifies their path out of the router.
function checkUnique(links: LinkRead[], problems: Problems, field: Unique): void {
  const first = new Map<unknown, LinkRead>();
  for (const l of links) {
    const v = l.link[field];
    if (v === undefined) continue;
    const other = first.get(v);
    if (!other) first.set(v, l);
    else problems.error(l.at[field]!, `${l.label} uses ${field} '${v}' like ${other.label} (line ${other.at[field]})`);
  }
}

export function readLinks(sections: UciSection[], problems: Problems, complete: boolean): LinkConfig[] {
  const names = sectionNames(sections);
  const links = sections.map((s, i) => readLink(new SectionReader(s, sectionLabel(s, i), problems), names[i]!, complete));
  for (const field of ['device', 'interface', 'table'] as const) checkUnique(links, problems, field);
  return links.map((l) => l.link);
}

export function readClient(
  main: SectionReader,
  common: CommonConfig,
  scheduler: SchedulerName,
  linkSections: UciSection[],
  problems: Problems,
): ClientConfig {
  const complete = common.enabled;
  const config: ClientConfig = {
    mode: 'client',
    ...common,
    server: main.need('server', host, complete)?.value ?? '',
    key: main.need('key', key, complete)?.value ?? '',
    scheduler,
    defaultRoute: main.get('default_route', bool)?.value ?? true,
    links: readLinks(linkSections, problems, complete),
  };
  if (complete && !config.links.some((l) => l.enabled)) problems.error(main.line, `a client needs at least one enabled link section`);
  return config;
}

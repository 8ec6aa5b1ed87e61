// sudo npm run demo [-- --scenario NAME] [--traces DIR]
// Builds the lab (default: asym2, a fast and a slow link), measures a TCP download over each
// link alone, then the same download through the bond over all links, and prints them side by
// side. Takes about a minute; removes every namespace and process it made.
import { printedHelp, scenariosFromArgs } from './scenarios.js';
import { Lab } from './topology.js';
import { LabBond } from './bond.js';
import { startServers, bulk, probe, goodput, median } from './traffic/measure.js';
import { table } from './report.js';
import { missingTools } from './sh.js';

async function main(): Promise<void> {
  if (printedHelp(process.argv.slice(2), 'usage: sudo npm run demo -- [--scenario NAME] [--traces DIR]')) return;
  if (process.getuid?.() !== 0) throw new Error('the demo builds network namespaces: run it as root (sudo npm run demo)');
  const missing = missingTools({ ip: 'iproute2', nft: 'nftables' });
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
  const list = scenariosFromArgs(process.argv.slice(2), 'asym2');
  if (list.length !== 1) throw new Error('the demo runs one scenario: --scenario NAME (the bench runs several)');
  const sc = list[0]!;
  const seconds = 8;
  console.log(`bond demo: ${sc.name} — ${sc.about}\nbuilding the lab (namespaces lan, rt, wan, vps, inet)…`);
  const lab = await Lab.start(sc.links, { prefix: 'bldemo' });
  const rows: (string | number)[][] = [];
  try {
    await startServers(lab);
    for (const l of lab.links) {
      lab.useLinkAlone(l.index);
      process.stdout.write(`link ${l.name} alone… `);
      const rtt = median((await probe(lab, { seconds: 1 })).rttMs);
      const down = goodput(await bulk(lab, { seconds }));
      console.log(`${down.toFixed(1)} Mbit/s`);
      rows.push([`${l.name} alone`, `${l.down.rateMbps.toFixed(0)} Mbit/s, ${l.down.delayMs} ms`, down, rtt, NaN]);
    }
    lab.useLinkAlone(null);
    process.stdout.write('the bond over all links… ');
    const bond = await LabBond.start(lab, { clientExtra: "\toption mtu '1424'\n" });
    try {
      await bond.connected(15_000);
      const idle = median((await probe(lab, { seconds: 1 })).rttMs);
      const loaded = probe(lab, { seconds: seconds - 1, intervalMs: 50 });
      const down = goodput(await bulk(lab, { seconds }));
      const underLoad = median((await loaded).rttMs.slice(40));
      console.log(`${down.toFixed(1)} Mbit/s`);
      const sum = lab.links.reduce((a, l) => a + l.down.rateMbps, 0);
      rows.push(['bond', `${lab.links.length} links, ${sum.toFixed(0)} Mbit/s in all`, down, idle, underLoad]);
    } finally {
      await bond.stop();
    }
  } finally {
    lab.close();
  }
  console.log('\none TCP download (Cubic), lan → inet\n' + table(['path', 'links', 'Mbit/s', 'RTT idle ms', 'RTT under load ms'], rows));
}

main().catch((e) => {
  console.error(`demo: ${(e as Error).message}`);
  process.exit(1);
});

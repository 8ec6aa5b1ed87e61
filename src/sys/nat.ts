// Firewall rules bond needs, in one nftables table of its own (`inet bond`), or in chains of
// its own with iptables where nft is missing:
//   server: masquerade the tunnel's addresses (and LANs routed behind peers) out of any
//           interface but the tunnel
//   both:   clamp the MSS of TCP connections through the tunnel to its MTU, so hosts behind it
//           can use their full MTU without black holes
// Removing the table (or chains) removes everything at once, also after a crash.
import { run, have } from './exec.js';

const TABLE = 'bond';

export interface NatOptions {
  device: string;
  masquerade4: string[]; // source prefixes to masquerade (server)
  masquerade6: string[];
}

export async function applyFirewall(o: NatOptions): Promise<'nft' | 'iptables'> {
  await removeFirewall();
  if (have('nft')) {
    const dev = JSON.stringify(o.device);
    const lines = [
      `table inet ${TABLE} {`,
      '  chain forward {',
      '    type filter hook forward priority mangle; policy accept;',
      `    oifname ${dev} tcp flags syn tcp option maxseg size set rt mtu`,
      `    iifname ${dev} tcp flags syn tcp option maxseg size set rt mtu`,
      '  }',
    ];
    if (o.masquerade4.length || o.masquerade6.length) {
      lines.push('  chain postrouting {', '    type nat hook postrouting priority srcnat; policy accept;');
      if (o.masquerade4.length) lines.push(`    ip saddr { ${o.masquerade4.join(', ')} } oifname != ${dev} masquerade`);
      if (o.masquerade6.length) lines.push(`    ip6 saddr { ${o.masquerade6.join(', ')} } oifname != ${dev} masquerade`);
      lines.push('  }');
    }
    lines.push('}');
    await run('nft', ['-f', '-'], lines.join('\n') + '\n');
    return 'nft';
  }
  if (!have('iptables')) throw new Error('neither nft nor iptables is installed (apt-get install nftables)');
  for (const [tool, prefixes] of [['iptables', o.masquerade4], ['ip6tables', o.masquerade6]] as const) {
    if (!have(tool)) continue;
    await run(tool, ['-t', 'mangle', '-N', 'BOND']);
    await run(tool, ['-t', 'mangle', '-A', 'BOND', '-p', 'tcp', '--tcp-flags', 'SYN,RST', 'SYN', '-j', 'TCPMSS', '--clamp-mss-to-pmtu']);
    await run(tool, ['-t', 'mangle', '-I', 'FORWARD', '-o', o.device, '-j', 'BOND']);
    await run(tool, ['-t', 'mangle', '-I', 'FORWARD', '-i', o.device, '-j', 'BOND']);
    if (prefixes.length) {
      await run(tool, ['-t', 'nat', '-N', 'BOND']);
      for (const p of prefixes) await run(tool, ['-t', 'nat', '-A', 'BOND', '-s', p, '!', '-o', o.device, '-j', 'MASQUERADE']);
      await run(tool, ['-t', 'nat', '-I', 'POSTROUTING', '-j', 'BOND']);
    }
  }
  return 'iptables';
}

export async function removeFirewall(): Promise<void> {
  if (have('nft')) await run('nft', ['delete', 'table', 'inet', TABLE]).catch(() => {});
  for (const tool of ['iptables', 'ip6tables']) {
    if (!have(tool)) continue;
    const quiet = (args: string[]) => run(tool, args).catch(() => '');
    // unhook every jump to our chains, then flush and delete them
    for (const [table, chain] of [['mangle', 'FORWARD'], ['nat', 'POSTROUTING']]) {
      const rules = await quiet(['-t', table!, '-S', chain!]);
      for (const line of rules.split('\n').filter((l) => l.includes('-j BOND'))) {
        await quiet(['-t', table!, ...line.replace(/^-A /, '-D ').split(' ')]);
      }
      await quiet(['-t', table!, '-F', 'BOND']);
      await quiet(['-t', table!, '-X', 'BOND']);
    }
  }
}

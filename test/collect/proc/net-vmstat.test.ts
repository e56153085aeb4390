import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { netDeltas, parseSnmpPairs, parseSoftnetStat, type NetSnapshot } from '../../../src/collect/proc/net.js';
import { isVmstatCounter, parseVmstat, vmstatDeltas } from '../../../src/collect/proc/vmstat.js';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/proc/net', name), 'utf8');

describe('/proc/net/softnet_stat', () => {
  test('this VM: one row per CPU, with the CPU number from column 13', () => {
    const rows = parseSoftnetStat(fixture('softnet_stat.txt'));
    expect(rows?.map((r) => r.cpu)).toEqual([0, 1]);
    expect(rows?.every((r) => r.processed > 0)).toBe(true);
  });

  test('an older kernel without the CPU column numbers rows by position', () => {
    const rows = parseSoftnetStat('0000000a 00000001 00000002 0 0 0 0 0 0 0 0\n00000014 00000000 00000003 0 0 0 0 0 0 0 0\n');
    expect(rows).toEqual([
      { cpu: 0, processed: 10, dropped: 1, timeSqueeze: 2 },
      { cpu: 1, processed: 20, dropped: 0, timeSqueeze: 3 },
    ]);
  });

  test('a row skipping an offline CPU keeps the CPU the kernel names', () => {
    const rows = parseSoftnetStat('00000001 0 0 0 0 0 0 0 0 0 0 0 00000000 0 0\n00000002 0 0 0 0 0 0 0 0 0 0 0 00000003 0 0\n');
    expect(rows?.map((r) => r.cpu)).toEqual([0, 3]);
  });

  test('text that is not softnet_stat is refused', () => {
    expect(parseSoftnetStat('hello world\n')).toBe(null);
  });
});

describe('/proc/net/snmp and netstat', () => {
  test('pairs of header and value lines become Group.Name counters', () => {
    const snmp = parseSnmpPairs(fixture('snmp.txt'));
    expect(snmp?.has('Tcp.RetransSegs')).toBe(true);
    expect(snmp?.has('Udp.RcvbufErrors')).toBe(true);
    const netstat = parseSnmpPairs(fixture('netstat.txt'));
    expect(netstat?.has('TcpExt.ListenDrops')).toBe(true);
    expect(netstat?.has('IpExt.InOctets')).toBe(true);
  });

  test('a value line that does not match its header is refused', () => {
    expect(parseSnmpPairs('Tcp: A B\nTcp: 1\n')).toBe(null);
    expect(parseSnmpPairs('Tcp: A B\nUdp: 1 2\n')).toBe(null);
  });
});

describe('network deltas', () => {
  const snap = (over: Partial<NetSnapshot>): NetSnapshot => ({ softnet: null, snmp: null, devices: null, ...over });

  test('softnet is summed over CPUs present before and after; moved SNMP counters only; device counters always', () => {
    const before = snap({
      softnet: [
        { cpu: 0, processed: 10, dropped: 0, timeSqueeze: 1 },
        { cpu: 1, processed: 5, dropped: 0, timeSqueeze: 0 },
      ],
      snmp: new Map([
        ['Tcp.RetransSegs', 100],
        ['Tcp.InErrs', 7],
      ]),
      devices: { lo: { rx_packets: 50, rx_dropped: 0 }, 'we ird0': { tx_packets: 1 } },
    });
    const after = snap({
      softnet: [
        { cpu: 0, processed: 25, dropped: 2, timeSqueeze: 1 },
        { cpu: 1, processed: 9, dropped: 0, timeSqueeze: 3 },
      ],
      snmp: new Map([
        ['Tcp.RetransSegs', 112],
        ['Tcp.InErrs', 7],
      ]),
      devices: { lo: { rx_packets: 80, rx_dropped: 0 }, 'we ird0': { tx_packets: 4 } },
    });
    expect(netDeltas(before, after)).toEqual([
      { name: 'net.softnet.processed.count', value: 19 },
      { name: 'net.softnet.dropped.count', value: 2 },
      { name: 'net.softnet.time_squeeze.count', value: 3 },
      { name: 'net.snmp.Tcp.RetransSegs.count', value: 12 },
      { name: 'net.dev.lo.rx_packets.count', value: 30 },
      { name: 'net.dev.lo.rx_dropped.count', value: 0 },
      { name: 'net.dev.we_ird0.tx_packets.count', value: 3 },
    ]);
  });

  test('a counter that went back (device reset) reads as 0, not negative', () => {
    const d = netDeltas(snap({ devices: { eth0: { rx_packets: 1000 } } }), snap({ devices: { eth0: { rx_packets: 10 } } }));
    expect(d).toEqual([{ name: 'net.dev.eth0.rx_packets.count', value: 0 }]);
  });
});

describe('/proc/vmstat', () => {
  test('this VM: every line parses, gauges and counters told apart', () => {
    const v = parseVmstat(fixture('vmstat.txt'));
    expect(v?.get('pgfault')).toBeGreaterThan(0);
    expect(isVmstatCounter('pgmajfault')).toBe(true);
    expect(isVmstatCounter('nr_free_pages')).toBe(false);
    expect(isVmstatCounter('nr_dirtied')).toBe(true);
    expect(isVmstatCounter('dirty_threshold')).toBe(false);
  });

  test('only event counters that moved become metrics', () => {
    const before = new Map([
      ['pgfault', 100],
      ['pgmajfault', 3],
      ['nr_free_pages', 500],
    ]);
    const after = new Map([
      ['pgfault', 160],
      ['pgmajfault', 3],
      ['nr_free_pages', 400],
    ]);
    expect(vmstatDeltas(before, after)).toEqual([{ name: 'mem.vmstat.pgfault.count', value: 60 }]);
  });

  test('text that is not vmstat is refused', () => {
    expect(parseVmstat('pgfault lots\n')).toBe(null);
  });
});

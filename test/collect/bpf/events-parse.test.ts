import { describe, expect, test } from 'vitest';
import { parseEventsLine } from '../../../src/collect/bpf/events-parse.js';
import { slowCallsOf } from '../../../src/collect/bpf/events-session.js';
import { Symbolizer } from '../../../src/kernel/symbolizer.js';

// A line as helpers/bin/kdelta-events printed it on this machine (kdelta-groups' beta0).
const EVENT =
  '{"ev":{"t":414968537,"d":9949173,"pid":24236,"tid":24240,"nr":35,"ret":0,"comm":"beta0","u":["0x7f0a7f74b829","0x5566fd92f85e"],' +
  '"k":["0xffffffffc0025772","0xffffffff814b85e2"],"top":"0x5566fd92f746","maps":[["0x5566fd92f000","0x5566fd930000","0x1000","/work/helpers/bin/kdelta-groups"]]}}';

describe('kdelta-events lines', () => {
  test('an event keeps kernel addresses exact and user ones as numbers', () => {
    const p = parseEventsLine(EVENT);
    expect(p?.kind).toBe('event');
    if (p?.kind !== 'event') return;
    expect(p.event).toMatchObject({ t: 414968537, durationNs: 9949173, pid: 24236, tid: 24240, nr: 35, comm: 'beta0', top: 0x5566fd92f746 });
    expect(p.event.kernel).toEqual([0xffffffffc0025772n, 0xffffffff814b85e2n]);
    expect(p.event.user).toEqual([0x7f0a7f74b829, 0x5566fd92f85e]);
    expect(p.event.maps).toEqual([{ start: 0x5566fd92f000, end: 0x5566fd930000, offset: 0x1000, path: '/work/helpers/bin/kdelta-groups' }]);
  });

  test('the protocol lines', () => {
    expect(parseEventsLine('{"ready":true,"attach_ns":5,"ready_ns":6}')).toEqual({ kind: 'ready', attachNs: 5 });
    expect(parseEventsLine('{"admitted":1}')).toEqual({ kind: 'admitted', n: 1 });
    expect(parseEventsLine('{"seen":7,"ring_full":0}')).toEqual({ kind: 'counts', seen: 7, ringFull: 0 });
    expect(parseEventsLine('{"end":3}')).toEqual({ kind: 'end', seq: 3 });
    expect(parseEventsLine('   ')).toBeNull();
  });

  test('what is not the protocol is unparsed, not an event', () => {
    expect(parseEventsLine('libbpf: warning')?.kind).toBe('unparsed');
    expect(parseEventsLine(EVENT.replace('"0x7f0a7f74b829"', '"7f0a"'))?.kind).toBe('unparsed');
    expect(parseEventsLine(EVENT.replace('"pid":24236', '"pid":"x"'))?.kind).toBe('unparsed');
    expect(parseEventsLine(EVENT.replace('"maps":[[', '"maps":[[1,'))?.kind).toBe('unparsed');
  });
});

describe('slowCallsOf', () => {
  const p = parseEventsLine(EVENT);
  const event = p?.kind === 'event' ? p.event : null;
  const symbolizer = new Symbolizer(
    () => 'ffffffff814b8500 T syscall_exit_work\nffffffff814b9000 T next_one\nffffffffc0025000 t bpf_prog_1_ev_exit\t[bpf]\nffffffffc0026000 t x\t[bpf]\n',
    () => null,
  );

  test('counts the dropped calls exactly as seen - max, names the syscall and leaves out the capture\'s own frames', () => {
    const got = slowCallsOf({ events: [event!], seen: 5, ringFull: 0 }, { overNs: 1e6, max: 1, stacks: true }, 'x86_64', symbolizer);
    expect(got).toMatchObject({ seen: 5, dropped: 4, lost: 0 });
    expect(got.events[0]).toMatchObject({ syscall: 'nanosleep', nr: 35, comm: 'beta0', kernel: ['syscall_exit_work+0xe2'] });
    expect(got.events[0]!.user[0]).toBe('0x7f0a7f74b829');
  });

  test('nothing dropped under max; no stacks when they are off; unknown numbers named by number', () => {
    const e = { ...event!, nr: 999 };
    const got = slowCallsOf({ events: [e], seen: 1, ringFull: 2 }, { overNs: 1e6, max: 50, stacks: false }, 'x86_64', symbolizer);
    expect(got).toMatchObject({ seen: 1, dropped: 0, lost: 2 });
    expect(got.events[0]).toMatchObject({ syscall: 'syscall_999', user: [], kernel: [] });
  });
});

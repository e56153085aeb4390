import { describe, expect, test } from 'vitest';
import { EVENT_FRAMES, EVENT_ROWS, slowCallsHtml } from '../../src/report/html/events.js';
import { renderHtml } from '../../src/report/html/render.js';
import type { ScenarioReport } from '../../src/report/types.js';
import type { SlowCall, SlowCallEvents } from '../../src/run/syscall-events.js';
import { sampleReport, slowCall } from './sample.js';

const HOSTILE = `<script>alert(1)</script>"><img src=x onerror=alert(2)>'&amp;`;

const call = (over: Partial<SlowCall>): SlowCall => slowCall(over);

const events = (perRep: SlowCall[][], dropped = 0): SlowCallEvents => ({
  overNs: 1_000_000,
  max: 50,
  stacks: true,
  repetitions: perRep.map((e, i) => ({ repetition: i + 1, seen: e.length + dropped, dropped, lost: 0, events: e })),
});

const scenario = (over: Partial<ScenarioReport>): ScenarioReport => over as unknown as ScenarioReport;

/** The names of the tags in a piece of markup: with everything escaped, only the writer's own. */
function tags(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z0-9]+)/g)].map((m) => m[1]!);
}

describe("report.html's slowest system calls", () => {
  test('nothing for a scenario that did not ask for events', () => {
    expect(slowCallsHtml(scenario({}))).toBe('');
  });

  test('one row per call, slowest first, with the counts and a collapsible pair of stacks naming the function', () => {
    const html = slowCallsHtml(scenario({ syscallEvents: events([[call({ durationNs: 2_000_000, syscall: 'read' }), call({})]], 3) }));
    expect(html).toContain('<h3>Slowest system calls</h3>');
    expect(html).toContain('Over 1.00 ms: 5 calls in 1 repetition, 3 dropped past max 50 per repetition.');
    const rows = html.match(/<tr data-event>.*?<\/tr>/gu)!;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('<td>nanosleep</td><td>5.10 ms</td>');
    expect(rows[0]).toContain('<td>worker <span class="muted">(10/11)</span></td>');
    expect(rows[0]).toContain('<details class="stacks"><summary>syscall+0x19 (libc.so.6) ← kdelta_slow_call+0x1c (prog) ← main+0x52 (prog) (user 3, kernel 2 frames)</summary>');
    expect(rows[0]).toContain('<li>kdelta_slow_call+0x1c (prog)</li>');
    expect(rows[0]).toContain('<li>do_syscall_64+0x22e</li>');
    expect(rows[1]).toContain('<td>read</td>');
  });

  test('an A/B report lists the base side, then the head side, in rounds', () => {
    const html = slowCallsHtml(scenario({ syscallEvents: events([[call({ comm: 'head-w' })]]), baseSide: { syscallEvents: events([[call({ comm: 'base-w' })], []]) } }));
    const base = html.indexOf('<h4 class="side">base side</h4>');
    const head = html.indexOf('<h4 class="side">head side</h4>');
    expect(base).toBeGreaterThan(0);
    expect(head).toBeGreaterThan(base);
    expect(html.slice(base, head)).toContain('base-w');
    expect(html.slice(base, head)).toContain('1 calls in 2 rounds, 0 dropped past max 50 per round.');
    expect(html.slice(head)).toContain('head-w');
    expect(html.slice(head)).not.toContain('base-w');
    expect(html).toContain('<th scope="col">Round</th>');
  });

  test('thread names, syscall names and frames are escaped: no tag comes from the workload', () => {
    const hostile = call({ comm: HOSTILE, syscall: HOSTILE, user: [HOSTILE, `</li></ol></details><script>x</script>`], kernel: [HOSTILE] });
    const html = slowCallsHtml(scenario({ syscallEvents: events([[hostile]]), baseSide: { syscallEvents: events([[hostile]]) } }));
    expect(html).not.toMatch(/<script|<img|<\/li><\/ol><\/details><script/u);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&amp;amp;');
    expect(new Set(tags(html))).toEqual(new Set(['h3', 'h4', 'p', 'table', 'thead', 'tr', 'th', 'tbody', 'td', 'span', 'details', 'summary', 'h5', 'ol', 'li']));
  });

  test('rows and frames are bounded, the rest pointed at in report.json', () => {
    const deep = call({ user: Array.from({ length: EVENT_FRAMES + 8 }, (_, i) => `f${i}`) });
    const html = slowCallsHtml(scenario({ syscallEvents: events([Array.from({ length: EVENT_ROWS + 5 }, () => deep)]) }));
    expect(html.match(/<tr data-event>/gu)).toHaveLength(EVENT_ROWS);
    expect(html).toContain('5 more in report.json.');
    expect(html).toContain('… 8 more frames in report.json');
    expect(html).not.toContain(`<li>f${EVENT_FRAMES}</li>`);
  });

  test('says so when no call passed the threshold', () => {
    expect(slowCallsHtml(scenario({ syscallEvents: events([[]]) }))).toContain('No call was slower than the threshold.');
  });

  test('the page carries the section in the scenario it belongs to', () => {
    const report = sampleReport();
    report.scenarios[0]!.syscallEvents = events([[call({})]]);
    const html = renderHtml(report);
    const section = html.slice(html.indexOf('<section class="scenario"'), html.indexOf('</section>'));
    expect(section).toContain('<h3>Slowest system calls</h3>');
    expect(html.match(/<h3>Slowest system calls<\/h3>/gu)).toHaveLength(1);
  });
});

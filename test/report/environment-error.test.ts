import { describe, expect, test } from 'vitest';
import { renderConsoleSummary } from '../../src/report/console.js';
import { annotationCommands } from '../../src/report/github.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { Report } from '../../src/report/types.js';
import { cmarkGfm, extendedJenkinsXsd, htmlTables, xmllintSchema, xpath } from './helpers.js';
import { environmentErrorScenario, sampleReport } from './sample.js';

// A scenario whose required collector cannot run ends the run with exit 3; every format says so.
function report(): Report {
  const r = sampleReport();
  r.scenarios = [environmentErrorScenario()];
  return r;
}

const WHY = 'the scenario could not run: ebpf unavailable: bpftrace not found (fix: apt-get install bpftrace)';

describe('a scenario that could not run here', () => {
  test('is an error testcase named environment in junit.xml, which still validates', () => {
    const xml = renderJunit(report());
    expect(xmllintSchema(xml, extendedJenkinsXsd()).status).toBe(0);
    expect(xpath(xml, 'string(//testcase[@name="environment"]/error/@message)')).toBe(WHY);
    expect(xpath(xml, 'string(//testcase[@name="environment"]/error/@type)')).toBe('environment');
  });

  test('is a headline row and the headline says it could not run', () => {
    const md = renderMarkdown(report(), { variant: 'summary' });
    expect(md.split('\n')[0]).toBe('## ⚠️ kdelta: 1 scenario could not run');
    const rows = htmlTables(cmarkGfm(md))[0]!;
    expect(rows[1]).toEqual(['needs-ebpf', 'environment', '—', '—', '—', '—', `⚠️ ${WHY}`]);
  });

  test('has its description kept as a paragraph, not a heading or a list', () => {
    const html = cmarkGfm(renderMarkdown(report(), { variant: 'summary' }), true);
    expect(html).toContain('<p># not a heading - nor a list</p>');
  });

  test('gets an annotation and a console line with the reason', () => {
    expect(annotationCommands(report(), {})).toEqual([
      `::error file=/work/main/scenarios/needs-ebpf.yaml,title=kdelta%3A needs-ebpf could not run::${WHY}`,
    ]);
    expect(renderConsoleSummary(report(), { color: false })).toContain(`needs-ebpf  error       ${WHY}`);
  });
});

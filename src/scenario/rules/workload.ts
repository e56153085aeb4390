import { isRecord } from '../problem.js';
import { compileLineRegex, metricRegexProblem, parseTcpAddress } from '../regex.js';
import type { Rule } from './context.js';

/** env, cwd and a service mean something only to a process kdelta starts itself. */
export const commandOnlyKeys: Rule = {
  name: 'command-only-keys',
  check(ctx) {
    const workload = ctx.record(['workload']);
    if (!workload || 'command' in workload) return;
    for (const key of ['env', 'cwd', 'service'] as const) {
      if (key in workload) ctx.report(['workload', key], 'key', `workload.${key} applies only to command workloads`);
    }
  },
};

/** Each figure becomes one metric, so two of the same name would overwrite each other. */
export const uniqueWorkloadMetrics: Rule = {
  name: 'unique-workload-metrics',
  check(ctx) {
    const seen = new Set<string>();
    ctx.list(['workload', 'metrics']).forEach((m, i) => {
      if (!isRecord(m) || typeof m.name !== 'string') return;
      if (seen.has(m.name)) ctx.report(['workload', 'metrics', String(i), 'name'], 'value', `workload metric "${m.name}" is declared twice`);
      seen.add(m.name);
    });
  },
};

/** A regex must compile in the engine that runs it (RE2) and capture the number. */
export const metricRegexes: Rule = {
  name: 'metric-regexes',
  check(ctx) {
    ctx.list(['workload', 'metrics']).forEach((m, i) => {
      if (!isRecord(m) || typeof m.regex !== 'string') return;
      const problem = metricRegexProblem(m.regex);
      if (problem) ctx.report(['workload', 'metrics', String(i), 'regex'], 'value', problem);
    });
  },
};

/** The readiness check must be one kdelta can run: an address it can connect to, a regex RE2 accepts. */
export const serviceReady: Rule = {
  name: 'service-ready',
  check(ctx) {
    const ready = ctx.record(['workload', 'service', 'ready']);
    if (!ready) return;
    if (typeof ready.tcp === 'string') {
      const parsed = parseTcpAddress(ready.tcp);
      if (!parsed.ok) ctx.report(['workload', 'service', 'ready', 'tcp'], 'value', `workload.service.ready.tcp: ${parsed.error}`);
    }
    if (typeof ready.stdout === 'string') {
      const compiled = compileLineRegex(ready.stdout);
      if (!compiled.ok) ctx.report(['workload', 'service', 'ready', 'stdout'], 'value', `workload.service.ready.stdout: ${compiled.error}`);
    }
  },
};

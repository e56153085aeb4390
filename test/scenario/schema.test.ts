import { describe, expect, expectTypeOf, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import { Ajv2020 as Ajv } from 'ajv/dist/2020.js';
import { scenarioSchema, type ScenarioFile } from '../../src/scenario/schema.js';
import type { BuiltinName, CollectorName, Correction, StatTest } from '../../src/scenario/types.js';
import type { Better } from '../../src/metrics/types.js';
import { editDistance, closestMatch } from '../../src/scenario/suggest.js';
import { metricPatternProblem, metricPatternRegExp } from '../../src/scenario/metric-names.js';

describe('the committed scenario schema', () => {
  test('schemas/scenario.schema.json is the schema constant (run `npm run build && npm run schemas` after a change)', async () => {
    const committed = await readFile('schemas/scenario.schema.json', 'utf8');
    expect(committed).toBe(`${JSON.stringify(scenarioSchema, null, 2)}\n`);
  });

  test('ajv compiles it with its strict schema checks', () => {
    const ajv = new Ajv({ allowUnionTypes: true });
    expect(ajv.validateSchema(scenarioSchema)).toBe(true);
    expect(typeof ajv.compile(scenarioSchema)).toBe('function');
  });

  test('every object in it forbids unknown keys, except maps of user names', () => {
    const open: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}/${i}`));
      if (typeof node !== 'object' || node === null) return;
      const o = node as Record<string, unknown>;
      if (o.type === 'object' && o.additionalProperties !== false && !(typeof o.additionalProperties === 'object')) open.push(path);
      for (const [k, v] of Object.entries(o)) walk(v, `${path}/${k}`);
    };
    walk(scenarioSchema, '#');
    expect(open).toEqual([]);
  });
});

describe('suggestions', () => {
  test.each([
    ['repetitons', 'repetitions', 1],
    ['warmpu', 'warmup', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%s to %s is %d edits', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  test('a close key is suggested, a far one is not', () => {
    const keys = ['name', 'description', 'workload', 'repetitions', 'warmup', 'collect', 'gate'];
    expect(closestMatch('Repetitons', keys)).toBe('repetitions');
    expect(closestMatch('colect', keys)).toBe('collect');
    expect(closestMatch('zzz', keys)).toBe(null);
  });
});

describe('metric patterns', () => {
  test.each(['workload.wall_time', 'sched.ready_delay.*', 'syscall.*.p99', '*.count', 'irq.hard.virtio0-input.0.time', 'sched.ready_delay.thread.kworker/0:1.max'])(
    '%s is fine',
    (p) => {
      expect(metricPatternProblem(p)).toBe(null);
    },
  );

  test.each([
    ['', 'cannot be empty'],
    ['sched..p99', 'empty segment'],
    ['sched.ready delay', 'whitespace'],
    ['scehd.ready_delay.p99', 'did you mean "sched"'],
    ['sched', 'names only an area'],
    ['x*.p99', 'matches no metric area'],
  ])('%s is rejected', (p, why) => {
    expect(metricPatternProblem(p)).toContain(why);
  });

  test('* matches across dots and nothing else is special', () => {
    const re = metricPatternRegExp('syscall.*.p99');
    expect(re.test('syscall.read.p99')).toBe(true);
    expect(re.test('syscall.io_uring.enter.p99')).toBe(true);
    expect(re.test('syscall.read.p999')).toBe(false);
    expect(metricPatternRegExp('irq.node0.share').test('irqXnode0.share')).toBe(false);
  });
});

describe('the schema and the Scenario type agree', () => {
  // Checked by `tsc --noEmit` (tsconfig includes test/): a new builtin, test or correction added
  // on one side only fails the typecheck.
  test('enumerations are the same on both sides', () => {
    type File = ScenarioFile;
    expectTypeOf<NonNullable<File['workload']['builtin']>['name']>().toEqualTypeOf<BuiltinName>();
    expectTypeOf<NonNullable<NonNullable<File['gate']>['correction']>>().toEqualTypeOf<Correction>();
    expectTypeOf<NonNullable<NonNullable<File['gate']>['test']>>().toEqualTypeOf<StatTest>();
    expectTypeOf<NonNullable<NonNullable<File['collect']>['require']>[number]>().toEqualTypeOf<CollectorName>();
    expectTypeOf<NonNullable<File['workload']['metrics']>[number]['better']>().toEqualTypeOf<Better>();
    expect(scenarioSchema.properties.workload.properties.builtin.properties.name.enum).toEqual([
      'cpu-contention',
      'syscall-loop',
      'pipe-pingpong',
      'fsync-write',
      'loopback-tcp',
    ] satisfies BuiltinName[]);
  });
});

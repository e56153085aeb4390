import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { baselineSchema, validateBaseline } from '../../src/baselines/schema.js';
import { baselinePath, readBaseline, stableJson, workloadHash, writeBaseline } from '../../src/baselines/store.js';
import { InputError } from '../../src/errors.js';
import type { WorkloadSpec } from '../../src/scenario/types.js';
import { sampleBaseline } from './sample.js';

const fixtures = new URL('../fixtures/baselines/', import.meta.url);
const fixture = (name: string): string => new URL(name, fixtures).pathname;
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'kdelta-baselines-'));

async function inputErrorOf(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('schema', () => {
  test('the committed schemas/baseline.schema.json is the schema constant, byte for byte', () => {
    const committed = readFileSync(new URL('../../schemas/baseline.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(JSON.stringify(baselineSchema, null, 2) + '\n');
  });

  test('the recorded fixture is valid and a sample baseline validates', () => {
    expect(validateBaseline(JSON.parse(readFileSync(fixture('valid.json'), 'utf8'))).ok).toBe(true);
    expect(validateBaseline(sampleBaseline()).ok).toBe(true);
  });

  test('a wrong schemaVersion, a bad hash and an unknown field are rejected with their paths', () => {
    const bad = { ...sampleBaseline(), schemaVersion: 2, workloadHash: 'xyz', extra: 1 };
    const r = validateBaseline(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.join('\n')).toContain('/schemaVersion');
      expect(r.errors.join('\n')).toContain('/workloadHash');
      expect(r.errors.join('\n')).toContain('(extra)');
    }
  });
});

describe('readBaseline', () => {
  test('an absent baseline is null', async () => {
    expect(await readBaseline(join(tempDir(), 'none', 'x.json'))).toBeNull();
  });

  test('reads the recorded fixture', async () => {
    const b = await readBaseline(fixture('valid.json'));
    expect(b?.scenario).toBe('syscall-loop');
    expect(b?.metrics['workload.wall_time']?.samples).toHaveLength(10);
  });

  test('a corrupt baseline exits 2 naming the file, and is left byte-for-byte as it was', async () => {
    const dir = tempDir();
    const path = join(dir, 'corrupt.json');
    const before = readFileSync(fixture('corrupt.json'));
    writeFileSync(path, before);
    const err = await inputErrorOf(readBaseline(path));
    expect(err.exitCode).toBe(2);
    expect(err.where).toBe(path);
    expect(err.message).toMatch(/not valid JSON/);
    expect(err.fix).toContain(path);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['corrupt.json']);
  });

  test('a schema-invalid baseline exits 2 naming the file and the field, and is left unchanged', async () => {
    const dir = tempDir();
    const path = join(dir, 'invalid.json');
    const before = readFileSync(fixture('invalid.json'));
    writeFileSync(path, before);
    const err = await inputErrorOf(readBaseline(path));
    expect(err.exitCode).toBe(2);
    expect(err.where).toBe(path);
    expect(err.message).toContain('/metrics/workload.wall_time/samples/2: must be number');
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  test('a directory where the file should be is an input error, not a crash', async () => {
    const err = await inputErrorOf(readBaseline(tempDir()));
    expect(err.exitCode).toBe(2);
  });
});

describe('writeBaseline', () => {
  test('writes sorted keys, one line of samples per metric, and reads back equal', async () => {
    const dir = tempDir();
    const path = baselinePath(dir, 'm1', 'syscall-loop');
    expect(path).toBe(join(dir, 'm1', 'syscall-loop.json'));
    await writeBaseline(path, sampleBaseline());
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(stableJson(sampleBaseline()));
    expect(text.indexOf('"environment"')).toBeLessThan(text.indexOf('"machine"'));
    expect(text.indexOf('"sched.ready_delay.p99"')).toBeLessThan(text.indexOf('"workload.wall_time"'));
    expect(text).toContain('"samples": [1000, 1010, 990, 1020, 980, 1005, 995, 1015, 985, 1002]');
    expect(await readBaseline(path)).toEqual(sampleBaseline());
    expect(readdirSync(join(dir, 'm1'))).toEqual(['syscall-loop.json']);
  });

  test('replaces an existing baseline in place, leaving no temporary file', async () => {
    const dir = tempDir();
    const path = baselinePath(dir, 'm1', 's');
    await writeBaseline(path, sampleBaseline());
    await writeBaseline(path, sampleBaseline({ scenario: 's' }));
    expect((await readBaseline(path))?.scenario).toBe('s');
    expect(readdirSync(join(dir, 'm1'))).toEqual(['s.json']);
  });

  test('refuses an invalid baseline (a kdelta bug) without touching the file', async () => {
    const dir = tempDir();
    const path = baselinePath(dir, 'm1', 's');
    await writeBaseline(path, sampleBaseline());
    const before = readFileSync(path);
    await expect(writeBaseline(path, { ...sampleBaseline(), workloadHash: 'nope' })).rejects.toThrow(/invalid baseline/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  test('refuses machine or scenario names that would leave the baselines folder', () => {
    expect(() => baselinePath('/b', '..', 's')).toThrow(InputError);
    expect(() => baselinePath('/b', 'm', 'a/b')).toThrow(InputError);
  });
});

describe('workloadHash', () => {
  const spec = (over: Partial<Extract<WorkloadSpec, { kind: 'command' }>> = {}): WorkloadSpec => ({
    kind: 'command',
    argv: ['./bench', '--n', '10'],
    env: { B: '2', A: '1' },
    cwd: '/src/checkout/bench',
    timeoutMs: 60_000,
    metrics: [],
    ...over,
  });

  test('is a sha256 hex that ignores key order and the timeout', () => {
    const h = workloadHash(spec());
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(workloadHash(spec({ env: { A: '1', B: '2' } }))).toBe(h);
    expect(workloadHash(spec({ timeoutMs: 5 }))).toBe(h);
  });

  test('changes when what runs changes', () => {
    expect(workloadHash(spec({ argv: ['./bench', '--n', '11'] }))).not.toBe(workloadHash(spec()));
    expect(workloadHash(spec({ env: { A: '1', B: '3' } }))).not.toBe(workloadHash(spec()));
  });

  test('relative to the scenario folder, the same checkout elsewhere hashes the same', () => {
    const a = workloadHash(spec({ cwd: '/src/checkout/bench' }), '/src/checkout/scenarios');
    const b = workloadHash(spec({ cwd: '/runner/_work/repo/bench' }), '/runner/_work/repo/scenarios');
    expect(a).toBe(b);
    expect(workloadHash(spec({ cwd: '/src/checkout/bench' }))).not.toBe(workloadHash(spec({ cwd: '/runner/_work/repo/bench' })));
  });
});

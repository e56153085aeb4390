import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, repoRoot, runCli } from './support.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'cli');

describe('kdelta validate', () => {
  it('accepts the shipped scenarios/ (exit 0, names them on stdout)', async () => {
    const r = await runCli(['validate', join(repoRoot, 'scenarios')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ scenarios? valid: /);
    expect(r.stdout).toContain('cpu-oversubscribed');
  });

  it('defaults to scenarios/ when given no path', async () => {
    const r = await runCli(['validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cpu-oversubscribed');
  });

  // Each broken file: exit 2, the problem as file:line:col on stderr, nothing on stdout, no stack trace.
  const broken: Array<[file: string, where: string, says: RegExp]> = [
    ['bad-yaml.yaml', '4:1', /YAML syntax/],
    ['unknown-key.yaml', '4:1', /unknown key "repetitons" in scenario \(did you mean "repetitions"\?\)/],
    ['wrong-type.yaml', '4:14', /repetitions must be a whole number, not "ten"/],
    ['bad-duration.yaml', '4:12', /bad duration "2 secs" in workload\.timeout/],
    ['two-kinds.yaml', '4:3', /exactly one of command, builtin, tinybench/],
  ];
  for (const [file, where, says] of broken) {
    it(`rejects ${file} with exit 2 and ${file}:${where}`, async () => {
      const path = join(fixtures, 'broken', file);
      const r = await runCli(['validate', path]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const line = r.stderr.split('\n').find((l) => l.startsWith(`${path}:${where}: `));
      expect(line, r.stderr).toBeDefined();
      expect(line).toMatch(says);
      expect(hasStackTrace(r.stderr)).toBe(false);
    });
  }

  it('rejects two files with the same scenario name: exit 2, the second named at its name key', async () => {
    const dir = join(fixtures, 'dup');
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'second.yaml')}:2:7: scenario name "twin" is already used by ${join(dir, 'first.yaml')}`);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('reports every problem of a folder at once', async () => {
    const r = await runCli(['validate', join(fixtures, 'broken')]);
    expect(r.code).toBe(2);
    const problems = r.stderr.split('\n').filter((l) => /^\/.*\.yaml:\d+:\d+: /.test(l));
    expect(problems).toHaveLength(broken.length);
    expect(r.stderr).toContain(`kdelta: ${broken.length} problems in scenario files`);
  });

  it('a path that does not exist is bad input, not a crash', async () => {
    const r = await runCli(['validate', join(fixtures, 'no-such-file.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-file.yaml');
    expect(r.stderr).not.toContain('internal error');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe('CLI conventions', () => {
  const commands = [[], ['run'], ['validate'], ['doctor'], ['compare'], ['baseline'], ['baseline', 'update']];
  for (const cmd of commands) {
    it(`kdelta ${[...cmd, '--help'].join(' ')} exits 0 with usage on stdout`, async () => {
      const r = await runCli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: kdelta/m);
      expect(r.stdout).toContain(cmd.length ? `kdelta ${cmd.join(' ')}` : 'kdelta');
      expect(r.stderr).toBe('');
    });
  }

  it('run --help lists the options the README documents', async () => {
    const r = await runCli(['run', '--help']);
    for (const opt of ['--out', '--baselines', '--machine', '--repetitions', '--warmup', '--scenario', '--update-baselines', '--reason']) {
      expect(r.stdout).toContain(opt);
    }
  });

  it('--version exits 0', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+\.\d+\.\d+/);
  });

  for (const argv of [['validate', '--no-such-option'], ['run', '--bogus'], ['doctor', '--jsn'], ['--wat'], ['frobnicate'], ['run', '--repetitions', 'many'], ['run', '--repetitions', '0'], ['baseline', 'update', '--repetitions', '0'], ['run', '--warmup', '-1']]) {
    it(`kdelta ${argv.join(' ')} is a usage error: exit 2, message on stderr, nothing on stdout`, async () => {
      const r = await runCli(argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/error:/);
      expect(hasStackTrace(r.stderr)).toBe(false);
    });
  }

  for (const [option, value] of [['--repetitions', '0x2'], ['--repetitions', '1e9'], ['--repetitions', '10001'], ['--warmup', '1001'], ['--warmup', '1.5']] as const) {
    it(`kdelta run ${option} ${value} is refused with exit 2 naming the bound, before any scenario is loaded`, async () => {
      const r = await runCli(['run', option, value, '--out', '/nonexistent/never-created']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(option === '--warmup' ? /from 0 to 1000/ : /from 1 to 10000/);
    });
  }

  it('compare without its two files is a usage error', async () => {
    const r = await runCli(['compare']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required argument/);
  });

  it('compare with a file that does not exist exits 2 naming it, no stack trace', async () => {
    const missing = join(fixtures, 'nope', 'report.json');
    const r = await runCli(['compare', missing, missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(missing);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

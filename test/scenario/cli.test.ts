import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { hasStackTrace, repoRoot, runCli } from '../cli/support.js';

const RUN_TIME = join(repoRoot, 'test', 'fixtures', 'scenario', 'run-time');

// Each of these used to pass `kdelta validate`, and then failed (or silently switched eBPF
// off) only once a run started. Now `validate` and `run` reach the same verdict: exit 2, with
// the place in the file.
const cases: Array<[file: string, where: string, says: RegExp]> = [
  ['misspelt-syscall.yaml', '7:26', /unknown syscall "getppidd" in collect\.ebpf\.syscalls\.include \(did you mean "getppid"\?\)/u],
  ['unknown-exclude.yaml', '7:24', /unknown syscall "frobnicate" in collect\.ebpf\.syscalls\.exclude/u],
  ['bad-regex.yaml', '6:27', /is not RE2 syntax .*no backreferences/u],
  ['limit-unknown-unit.yaml', '6:7', /unknown unit "fortnights": use ns, us, ms, s, % or none/u],
];

describe('kdelta validate and kdelta run agree on files a run would trip over', () => {
  for (const [file, where, says] of cases) {
    for (const command of ['validate', 'run'] as const) {
      it(`kdelta ${command} ${file}: exit 2 with ${file}:${where}`, async () => {
        const path = join(RUN_TIME, file);
        const args = command === 'run' ? ['run', path, '--out', join(tmpdir(), 'kdelta-never-written')] : ['validate', path];
        const r = await runCli(args);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stdout).toBe('');
        const line = r.stderr.split('\n').find((l) => l.startsWith(`${path}:${where}: `));
        expect(line, r.stderr).toMatch(says);
        expect(hasStackTrace(r.stderr)).toBe(false);
      });
    }
  }
});

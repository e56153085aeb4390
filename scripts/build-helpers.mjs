#!/usr/bin/env node
// Builds the C helpers into helpers/bin/ (git-ignored): kdelta-load (the builtin loads) and
// kdelta-cgexec (enters the repetition's cgroup, then execs the workload). Run by
// `npm run build:helpers`, and by `npm run build`.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'helpers', 'bin');

const targets = [
  { out: 'kdelta-load', src: 'load.c', flags: ['-pthread'] },
  { out: 'kdelta-cgexec', src: 'cgexec.c', flags: [] },
  // Test program with known work per thread group and USDT window probes (needs sys/sdt.h:
  // Debian systemtap-sdt-dev); -fno-omit-frame-pointer so user stacks can be walked.
  { out: 'kdelta-groups', src: 'groups.c', flags: ['-pthread', '-fno-omit-frame-pointer'] },
];

function findCompiler() {
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    const probe = spawnSync(cc, ['--version'], { stdio: 'ignore' });
    if (!probe.error && probe.status === 0) return cc;
  }
  return null;
}

function build() {
  const cc = findCompiler();
  if (!cc) {
    process.stderr.write(
      'build-helpers: no C compiler found (tried $CC, cc, gcc, clang).\n' +
        'The builtin workloads and cgroup entry need helpers/bin/kdelta-load and helpers/bin/kdelta-cgexec.\n' +
        'Install one (Debian/Ubuntu: apt-get install gcc; Alpine: apk add build-base) and run `npm run build:helpers`.\n',
    );
    return 1;
  }
  mkdirSync(binDir, { recursive: true });
  for (const t of targets) {
    const args = ['-O2', ...t.flags, '-Wall', '-o', join(binDir, t.out), join(root, 'helpers', t.src)];
    const r = spawnSync(cc, args, { stdio: 'inherit' });
    if (r.error || r.status !== 0) {
      process.stderr.write(`build-helpers: ${cc} ${args.join(' ')} failed${r.error ? `: ${r.error.message}` : ''}\n`);
      return 1;
    }
    process.stderr.write(`build-helpers: built helpers/bin/${t.out}\n`);
  }
  return 0;
}

process.exitCode = build();

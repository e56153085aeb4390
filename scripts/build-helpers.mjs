#!/usr/bin/env node
// Builds the C helpers into helpers/bin/ (git-ignored): kdelta-load (the builtin loads) and
// kdelta-cgexec (enters the repetition's cgroup, then execs the workload). Run by
// `npm run build:helpers`, and by `npm run build`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'helpers', 'bin');

const targets = [
  // load.c holds main and the shared parts (load.h); the loads themselves are in load-*.c.
  { out: 'kdelta-load', src: ['load.c', 'load-cpu.c', 'load-io.c'], flags: ['-pthread'] },
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
    const args = ['-O2', ...t.flags, '-Wall', '-o', join(binDir, t.out), ...[t.src].flat().map((f) => join(root, 'helpers', f))];
    const r = spawnSync(cc, args, { stdio: 'inherit' });
    if (r.error || r.status !== 0) {
      process.stderr.write(`build-helpers: ${cc} ${args.join(' ')} failed${r.error ? `: ${r.error.message}` : ''}\n`);
      return 1;
    }
    process.stderr.write(`build-helpers: built helpers/bin/${t.out}\n`);
  }
  return 0;
}

function run(cmd, args, stdoutFile) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', stdoutFile ? 'pipe' : 'inherit', 'inherit'], maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) {
    process.stderr.write(`build-helpers: ${cmd} ${args.join(' ')} failed${r.error ? `: ${r.error.message}` : ''}\n`);
    return false;
  }
  if (stdoutFile) writeFileSync(stdoutFile, r.stdout);
  return true;
}

/**
 * The libbpf capture: bpf/kdelta.bpf.c compiled CO-RE against this kernel's BTF (vmlinux.h is
 * generated here, never committed), embedded as a skeleton into helpers/bin/kdelta-bpf.
 * Rebuilt only when the sources or the kernel BTF change (content hash). A machine without
 * clang, bpftool or libbpf-dev still builds the other helpers: kdelta then uses bpftrace.
 */
function buildBpf() {
  const btf = '/sys/kernel/btf/vmlinux';
  const sources = [join(root, 'bpf', 'kdelta.bpf.c'), join(root, 'helpers', 'kdelta-bpf.c')];
  const out = join(binDir, 'kdelta-bpf');
  const hash = createHash('sha256');
  for (const f of sources) hash.update(readFileSync(f));
  if (existsSync(btf)) hash.update(readFileSync(btf));
  const digest = hash.digest('hex');
  const stamp = join(binDir, 'kdelta-bpf.hash');
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
    process.stderr.write('build-helpers: helpers/bin/kdelta-bpf is up to date\n');
    return;
  }
  const missing = ['clang', 'bpftool'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status !== 0);
  if (missing.length > 0 || !existsSync(btf) || !existsSync('/usr/include/bpf/libbpf.h')) {
    process.stderr.write(
      `build-helpers: skipped helpers/bin/kdelta-bpf (${[...missing, ...(existsSync(btf) ? [] : ['kernel BTF']), ...(existsSync('/usr/include/bpf/libbpf.h') ? [] : ['libbpf-dev'])].join(', ')} missing); ` +
        'the eBPF capture falls back to bpftrace. Debian: apt-get install clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool\n',
    );
    return;
  }
  const gen = join(binDir, 'bpf-gen');
  mkdirSync(gen, { recursive: true });
  const arch = { x64: 'x86', arm64: 'arm64' }[process.arch] ?? process.arch;
  const ok =
    run('bpftool', ['btf', 'dump', 'file', btf, 'format', 'c'], join(gen, 'vmlinux.h')) &&
    run('clang', ['-O2', '-g', '-target', 'bpf', `-D__TARGET_ARCH_${arch}`, '-I', gen, '-c', sources[0], '-o', join(gen, 'kdelta.bpf.o')]) &&
    run('bpftool', ['gen', 'skeleton', join(gen, 'kdelta.bpf.o'), 'name', 'kdelta'], join(gen, 'kdelta.skel.h')) &&
    run('cc', ['-O2', '-Wall', '-I', gen, '-o', out, sources[1], '-lbpf', '-lelf', '-lz']);
  if (ok) {
    writeFileSync(stamp, digest);
    process.stderr.write('build-helpers: built helpers/bin/kdelta-bpf\n');
  }
}

process.exitCode = build();
if (process.exitCode === 0) buildBpf();

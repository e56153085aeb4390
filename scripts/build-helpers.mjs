#!/usr/bin/env node
// Builds the C helpers into helpers/bin/ (git-ignored): kdelta-load (the builtin loads) and
// kdelta-cgexec (enters the repetition's cgroup, then execs the workload). Run by
// `npm run build:helpers`, and by `npm run build`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  // Test program for slow-call events: N slow calls from a named function among fast ones.
  { out: 'kdelta-slowcall', src: 'slowcall.c', flags: ['-fno-omit-frame-pointer'] },
  // Task exit notifications (taskstats over generic netlink) for the /proc fallback's ready delay.
  { out: 'kdelta-taskstats', src: 'taskstats.c', flags: [] },
  // Test service with known work per request (K getcpu calls) and its driver (N requests).
  { out: 'kdelta-reqsvc', src: 'reqsvc.c', flags: [] },
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
  // The object is bpf/kdelta.bpf.c with the bpf/*.h it includes; the loader is helpers/kdelta-bpf*.c.
  const bpfParts = readdirSync(join(root, 'bpf')).filter((f) => /\.(h|c)$/.test(f) && f !== 'vmlinux.h' && !f.startsWith('events')).sort().map((f) => join(root, 'bpf', f));
  const loaderParts = readdirSync(join(root, 'helpers')).filter((f) => /^kdelta-bpf.*\.(c|h)$/.test(f)).sort().map((f) => join(root, 'helpers', f));
  const sources = [join(root, 'bpf', 'kdelta.bpf.c'), ...loaderParts.filter((f) => f.endsWith('.c'))];
  const out = join(binDir, 'kdelta-bpf');
  const hash = createHash('sha256');
  for (const f of [...bpfParts, ...loaderParts]) hash.update(readFileSync(f));
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
  // bpf/usdt.bpf.h includes <linux/errno.h>, whose asm/ lives in Debian's multiarch folder.
  const multiarch = `/usr/include/${{ x64: 'x86_64', arm64: 'aarch64' }[process.arch] ?? process.arch}-linux-gnu`;
  const ok =
    run('bpftool', ['btf', 'dump', 'file', btf, 'format', 'c'], join(gen, 'vmlinux.h')) &&
    run('clang', ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', `-D__TARGET_ARCH_${arch}`, '-I', gen, ...(existsSync(multiarch) ? ['-idirafter', multiarch] : []), '-c', sources[0], '-o', join(gen, 'kdelta.bpf.o')]) &&
    run('bpftool', ['gen', 'skeleton', join(gen, 'kdelta.bpf.o'), 'name', 'kdelta'], join(gen, 'kdelta.skel.h')) &&
    run('cc', ['-O2', '-Wall', '-I', gen, '-o', out, ...sources.slice(1), '-lbpf', '-lelf', '-lz']);
  if (ok) {
    writeFileSync(stamp, digest);
    process.stderr.write('build-helpers: built helpers/bin/kdelta-bpf\n');
  }
}

/**
 * The slow-call capture (collect.ebpf.syscalls.events): bpf/events.bpf.c and its loader
 * helpers/kdelta-events.c, built the same way as kdelta-bpf into helpers/bin/kdelta-events.
 */
function buildEvents() {
  const btf = '/sys/kernel/btf/vmlinux';
  const sources = [join(root, 'bpf', 'events.bpf.c'), join(root, 'helpers', 'kdelta-events.c'), join(root, 'helpers', 'kdelta-events.h'), join(root, 'bpf', 'admit.h')];
  const out = join(binDir, 'kdelta-events');
  const hash = createHash('sha256');
  for (const f of sources) hash.update(readFileSync(f));
  if (existsSync(btf)) hash.update(readFileSync(btf));
  const digest = hash.digest('hex');
  const stamp = join(binDir, 'kdelta-events.hash');
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
    process.stderr.write('build-helpers: helpers/bin/kdelta-events is up to date\n');
    return;
  }
  const missing = ['clang', 'bpftool'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status !== 0);
  if (missing.length > 0 || !existsSync(btf) || !existsSync('/usr/include/bpf/libbpf.h')) {
    process.stderr.write('build-helpers: skipped helpers/bin/kdelta-events (clang, bpftool, kernel BTF or libbpf-dev missing): slow-call events cannot run here\n');
    return;
  }
  const gen = join(binDir, 'events-gen');
  mkdirSync(gen, { recursive: true });
  const arch = { x64: 'x86', arm64: 'arm64' }[process.arch] ?? process.arch;
  const ok =
    run('bpftool', ['btf', 'dump', 'file', btf, 'format', 'c'], join(gen, 'vmlinux.h')) &&
    run('clang', ['-O2', '-g', '-target', 'bpf', `-D__TARGET_ARCH_${arch}`, '-I', gen, '-c', sources[0], '-o', join(gen, 'events.bpf.o')]) &&
    run('bpftool', ['gen', 'skeleton', join(gen, 'events.bpf.o'), 'name', 'kdevents'], join(gen, 'kdevents.skel.h')) &&
    run('cc', ['-O2', '-Wall', '-I', gen, '-I', join(root, 'helpers'), '-o', out, sources[1], '-lbpf', '-lelf', '-lz']);
  if (ok) {
    writeFileSync(stamp, digest);
    process.stderr.write('build-helpers: built helpers/bin/kdelta-events\n');
  }
}

process.exitCode = build();
if (process.exitCode === 0) buildBpf();
if (process.exitCode === 0) buildEvents();

import { formatCpuList } from '../kernel/cpulist.js';
import { EBPF_METRICS } from '../collect/ebpf/availability.js';
import { eventsCheck } from './events-check.js';
import type { CheckStatus, DoctorCheck } from './check.js';
import { kernelPartChecks, memoryControllerCheck, type MissingTracepoints } from './kernel-parts.js';
import { uprobeCheck } from './uprobes.js';
import type { MemoryController } from '../kernel/cgroup-memory.js';
import { procDegradations } from '../collect/proc/availability.js';
import { TRACEFS_PATH } from '../kernel/tracefs.js';
import type { MachineFacts } from '../environment/types.js';
import type { CaptureBackend } from '../collect/bpf/choose.js';
import type { Availability } from '../collect/types.js';

/**
 * `ok`: nothing to do. `missing`: something kdelta would measure cannot be measured here
 * (`disables` says what). `warning`: everything can be measured, but the figures are noisier or
 * less comparable than they could be (frequency scaling, SMT, irqbalance).
 */
export type { CheckStatus, DoctorCheck } from './check.js';

/** The facts as `doctor --json` prints them: counts where a reader wants counts, plus the raw lists. */
export interface DoctorFacts {
  isRoot: boolean;
  hasBpfCaps: boolean;
  bpftrace: { usable: boolean; version: string | null; path: string | null };
  tracefs: string | null;
  btf: boolean;
  cgroup2: string | null;
  schedstat: boolean;
  psi: boolean;
  cpus: number;
  onlineCpus: string;
  numaNodes: number;
  cpuNode: Record<number, number>;
  smt: boolean;
  governor: string | null;
  irqbalanceRunning: boolean;
  kernelRelease: string;
  arch: string;
  cpuModel: string;
}

/** What the eBPF collector would run here: the libbpf capture first, bpftrace as its fallback. */
export interface CaptureChoice {
  backend: 'libbpf' | 'bpftrace' | null;
  /** Why this one and not the other, in a few words. */
  reason: string;
}

/** The libbpf capture's availability (it looks for its loader on disk) and the backend KDELTA_EBPF asks for. */
export interface CaptureProbe {
  libbpf: Availability;
  backend: CaptureBackend;
  /** Whether a uprobe attaches (trigger windows on USDT and uprobes); null when it could not be tried. */
  uprobe?: { ok: boolean; detail: string } | null;
}

export interface DoctorReport {
  checks: DoctorCheck[];
  facts: DoctorFacts;
  /** Present when doctor was given the libbpf capture's availability. */
  capture?: CaptureChoice;
  /** Every metric pattern some missing check disables, deduplicated, in check order. */
  disabled: string[];
  summary: { ok: number; missing: number; warning: number };
}

// What each missing piece takes away is what the eBPF capture declares it provides, so doctor
// and the run report name the same metrics.
export { EBPF_METRICS } from '../collect/ebpf/availability.js';

/** bpftrace can attach kdelta's tracepoints: installed, privileged enough, tracefs mounted. */
export function bpftraceUsable(facts: MachineFacts): boolean {
  return facts.bpftrace !== null && (facts.isRoot || facts.hasBpfCaps) && facts.tracefs !== null;
}

/**
 * What the /proc sampler loses when only this one feature is missing, from the sampler's own
 * table, so doctor and the run report never disagree about it.
 */
function procLoses(facts: MachineFacts, feature: Partial<Pick<MachineFacts, 'psi' | 'schedstat' | 'cgroup2'>>): string[] {
  const healthy: MachineFacts = { ...facts, psi: true, schedstat: true, cgroup2: facts.cgroup2 ?? '/sys/fs/cgroup' };
  return procDegradations({ ...healthy, ...feature }).flatMap((d) => d.disables);
}

function ok(id: string, detail: string): DoctorCheck {
  return { id, ok: true, status: 'ok', detail, disables: [] };
}

function missing(id: string, detail: string, fix: string, disables: readonly string[]): DoctorCheck {
  return { id, ok: false, status: 'missing', detail, fix, disables: [...disables] };
}

function warning(id: string, detail: string, fix: string): DoctorCheck {
  return { id, ok: false, status: 'warning', detail, fix, disables: [] };
}

/** The same order of preference as the eBPF collector: libbpf where it is ready, else bpftrace, unless KDELTA_EBPF forces one. */
export function chooseCapture(facts: MachineFacts, probe: CaptureProbe): CaptureChoice {
  const { libbpf, backend } = probe;
  const bpftrace = bpftraceUsable(facts);
  const libReason = libbpf.state === 'unavailable' ? libbpf.reason : 'ready';
  if (backend === 'bpftrace') return bpftrace ? { backend: 'bpftrace', reason: 'KDELTA_EBPF=bpftrace forces it' } : { backend: null, reason: 'KDELTA_EBPF=bpftrace forces bpftrace, which cannot run here' };
  if (libbpf.state === 'ready') return { backend: 'libbpf', reason: libbpf.detail ?? 'libbpf loader ready' };
  if (backend === 'libbpf') return { backend: null, reason: `KDELTA_EBPF=libbpf refuses the fallback, and the libbpf capture is unavailable: ${libReason}` };
  if (bpftrace) return { backend: 'bpftrace', reason: `fallback: the libbpf capture is unavailable (${libReason})` };
  return { backend: null, reason: `neither capture can run: libbpf: ${libReason}; bpftrace: not usable` };
}

function libbpfCheck(facts: MachineFacts, probe: CaptureProbe, choice: CaptureChoice): DoctorCheck {
  const { libbpf } = probe;
  if (libbpf.state === 'ready') return ok('libbpf', `${libbpf.detail ?? 'ready'}${choice.backend === 'libbpf' ? ' (used by runs here)' : ` (not used: ${choice.reason})`}`);
  const reason = libbpf.state === 'unavailable' ? libbpf.reason : 'unavailable';
  const fix = (libbpf.state === 'unavailable' ? libbpf.fix : undefined) ?? 'npm run build:helpers';
  if (choice.backend === 'bpftrace') return warning('libbpf', `${reason}: runs use bpftrace instead (dearer per event, no exact maxima)`, fix);
  return missing('libbpf', reason, fix, bpftraceUsable(facts) ? [] : EBPF_METRICS);
}

/**
 * With the libbpf capture ready, a missing bpftrace or tracefs costs only the fallback: a
 * warning that disables nothing (tp_btf programs need neither).
 */
function onlyFallback(check: DoctorCheck, choice: CaptureChoice | undefined): DoctorCheck {
  if (choice?.backend !== 'libbpf' || check.status !== 'missing') return check;
  return { ...check, status: 'warning', detail: `${check.detail} (only the bpftrace fallback needs it: runs use libbpf)`, disables: [] };
}

/** Privileges and tools: what the eBPF capture needs. */
function captureChecks(facts: MachineFacts): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  checks.push(
    facts.isRoot
      ? ok('privileges', 'running as root')
      : facts.hasBpfCaps
        ? ok('privileges', 'CAP_BPF and CAP_PERFMON in the effective set')
        : missing('privileges', 'not root, and no CAP_BPF/CAP_PERFMON: bpftrace cannot load programs', 'run kdelta as root (sudo kdelta ...)', EBPF_METRICS),
  );

  checks.push(
    facts.bpftrace
      ? ok('bpftrace', `bpftrace ${facts.bpftrace.version} at ${facts.bpftrace.path}`)
      : missing('bpftrace', 'bpftrace not found on PATH (or `bpftrace --version` failed)', 'apt-get install bpftrace', EBPF_METRICS),
  );

  checks.push(
    facts.tracefs
      ? ok('tracefs', `mounted at ${facts.tracefs}`)
      : missing(
          'tracefs',
          'not mounted: bpftrace reports "tracepoint not found" for every probe',
          `kdelta doctor --fix (or: mount -t tracefs tracefs ${TRACEFS_PATH})`,
          EBPF_METRICS,
        ),
  );

  return checks;
}

/** Kernel features: BTF, cgroup v2, schedstat, PSI. */
function kernelChecks(facts: MachineFacts): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  checks.push(
    facts.btf
      ? ok('btf', '/sys/kernel/btf/vmlinux present')
      : warning(
          'btf',
          'no /sys/kernel/btf/vmlinux: tracepoints still work, but bpftrace cannot resolve kernel struct types',
          'a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian and Ubuntu kernels have it)',
        ),
  );

  checks.push(
    facts.cgroup2
      ? ok('cgroup2', `mounted at ${facts.cgroup2}`)
      : missing(
          'cgroup2',
          'no cgroup v2 mount: workloads run without a cgroup of their own, so eBPF filtering follows the main pid only and a timeout kills only what kdelta can see',
          'mkdir -p /sys/fs/cgroup/unified && mount -t cgroup2 none /sys/fs/cgroup/unified',
          procLoses(facts, { cgroup2: null }),
        ),
  );

  checks.push(
    facts.schedstat
      ? ok('schedstat', 'per-task run_delay readable (CONFIG_SCHED_INFO)')
      : missing(
          'schedstat',
          '/proc/<pid>/schedstat not readable: no cross-check of run-queue delay, and no fallback when eBPF cannot run',
          'a kernel built with CONFIG_SCHED_INFO=y (or CONFIG_SCHEDSTATS=y)',
          procLoses(facts, { schedstat: false }),
        ),
  );

  checks.push(
    facts.psi
      ? ok('psi', '/proc/pressure/cpu readable')
      : missing('psi', 'no pressure stall information', 'boot with psi=1 (kernel built with CONFIG_PSI=y)', procLoses(facts, { psi: false })),
  );

  return checks;
}

/** CPUs and NUMA nodes, then what makes figures noisy: frequency scaling, SMT, irqbalance. */
function cpuChecks(facts: MachineFacts): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const cpus = facts.onlineCpus.length;
  checks.push(
    cpus > 0 ? ok('cpus', `${cpus} online (${formatCpuList(facts.onlineCpus)})`) : missing('cpus', 'no online CPUs listed in /sys/devices/system/cpu/online', 'mount sysfs at /sys', ['irq.cpu*.count', 'irq.node*.*', 'irq.imbalance']),
  );

  const nodeDetail = facts.numaNodes
    .map((n) => {
      const nodeCpus = Object.entries(facts.cpuNode)
        .filter(([, node]) => node === n)
        .map(([cpu]) => Number(cpu));
      return `node${n}: ${formatCpuList(nodeCpus) || 'no CPUs'}`;
    })
    .join('; ');
  checks.push(ok('numa', `${facts.numaNodes.length} node${facts.numaNodes.length === 1 ? '' : 's'} (${nodeDetail})`));

  const governor = facts.governor;
  checks.push(
    governor === null
      ? ok('governor', 'no cpufreq (virtual machine or fixed frequency)')
      : governor === 'performance'
        ? ok('governor', 'performance')
        : warning(
            'governor',
            `${governor}: frequency scaling moves timings between runs`,
            'cpupower frequency-set -g performance',
          ),
  );

  checks.push(
    facts.smt
      ? warning('smt', 'SMT on: sibling hardware threads share a core and disturb each other', 'echo off > /sys/devices/system/cpu/smt/control')
      : ok('smt', 'off or not supported'),
  );

  checks.push(
    facts.irqbalanceRunning
      ? warning('irqbalance', 'irqbalance is running: it moves IRQs between CPUs during runs, so irq.cpu*/irq.node* drift', 'systemctl stop irqbalance')
      : ok('irqbalance', 'not running'),
  );

  return checks;
}

/** Every check, in the order a reader fixes them: privileges and tools first, tuning last. Pure. */
/** What doctor reads of the machine beyond its facts, each only where the caller could find it out. */
export interface DoctorExtras {
  events?: Availability;
  memory?: MemoryController | null;
}

export function runDoctor(facts: MachineFacts, probe?: CaptureProbe, tracepoints: MissingTracepoints | null = null, extras: DoctorExtras = {}): DoctorReport {
  const choice = probe ? chooseCapture(facts, probe) : undefined;
  const capture = captureChecks(facts).map((c) => (c.id === 'privileges' ? c : onlyFallback(c, choice)));
  if (probe && choice) capture.push(libbpfCheck(facts, probe, choice));
  if (probe?.uprobe !== undefined) capture.push(uprobeCheck(probe.uprobe));
  const checks: DoctorCheck[] = [
    ...capture,
    ...kernelChecks(facts),
    ...kernelPartChecks(facts, tracepoints),
    ...memoryControllerCheck(extras.memory ?? null),
    ...eventsCheck(extras.events),
    ...cpuChecks(facts),
  ];
  const cpus = facts.onlineCpus.length;
  const disabled = [...new Set(checks.filter((c) => c.status === 'missing').flatMap((c) => c.disables))];
  const count = (s: CheckStatus): number => checks.filter((c) => c.status === s).length;
  return {
    checks,
    facts: {
      isRoot: facts.isRoot,
      hasBpfCaps: facts.hasBpfCaps,
      bpftrace: { usable: bpftraceUsable(facts), version: facts.bpftrace?.version ?? null, path: facts.bpftrace?.path ?? null },
      tracefs: facts.tracefs,
      btf: facts.btf,
      cgroup2: facts.cgroup2,
      schedstat: facts.schedstat,
      psi: facts.psi,
      cpus,
      onlineCpus: formatCpuList(facts.onlineCpus),
      numaNodes: facts.numaNodes.length,
      cpuNode: facts.cpuNode,
      smt: facts.smt,
      governor: facts.governor,
      irqbalanceRunning: facts.irqbalanceRunning,
      kernelRelease: facts.kernelRelease,
      arch: facts.arch,
      cpuModel: facts.cpuModel,
    },
    ...(choice && { capture: choice }),
    disabled,
    summary: { ok: count('ok'), missing: count('missing'), warning: count('warning') },
  };
}

/**
 * doctor informs, so it exits 0 whatever it finds. With `strict` (for scripts that want to stop
 * early) it exits 3, the environment code, when a check is missing; warnings never fail.
 */
export function doctorExitCode(report: DoctorReport, opts: { strict?: boolean } = {}): 0 | 3 {
  return opts.strict === true && report.summary.missing > 0 ? 3 : 0;
}

import type { CollectorKind } from '../../run/types.js';
import { captureAvailability, createEbpfCapture } from '../bpf/choose.js';
import { EBPF_METRICS, SERVICE_EBPF_METRICS } from './availability.js';

export { EBPF_METRICS, ebpfAvailability } from './availability.js';

/**
 * The eBPF capture as the runner sees it: the libbpf loader where it runs, bpftrace where it
 * does not (KDELTA_EBPF=bpftrace|libbpf forces one).
 */
export const ebpfCollector: CollectorKind = {
  name: 'ebpf',
  provides: [...EBPF_METRICS, ...SERVICE_EBPF_METRICS],
  availability: (facts) => captureAvailability(facts),
  // The program filters on the repetition cgroups: without them it has nothing to admit.
  withoutCgroups: 'the eBPF capture filters on the repetition cgroup, and there is none',
  create(spec, facts) {
    if (spec.ebpf === false) throw new Error('the eBPF capture is off in this scenario');
    return createEbpfCapture(spec.ebpf, facts);
  },
  measuresReadyDelay: (spec) => spec.ebpf !== false && spec.ebpf.readyDelay,
};

import type { CollectorKind } from '../../run/types.js';
import { EBPF_METRICS, ebpfAvailability } from './availability.js';
import { createEbpfSession } from './session.js';

export { EBPF_METRICS, ebpfAvailability } from './availability.js';

/** The bpftrace capture as the runner sees it. */
export const ebpfCollector: CollectorKind = {
  name: 'ebpf',
  provides: EBPF_METRICS,
  availability: ebpfAvailability,
  // The program filters on the repetition cgroups: without them it has nothing to admit.
  withoutCgroups: 'the eBPF capture filters on the repetition cgroup, and there is none',
  create(spec, facts) {
    if (spec.ebpf === false) throw new Error('the eBPF capture is off in this scenario');
    return createEbpfSession(spec.ebpf, facts);
  },
  measuresReadyDelay: (spec) => spec.ebpf !== false && spec.ebpf.readyDelay,
};

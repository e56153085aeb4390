import type { CollectorKind } from '../../run/types.js';
import { KERNEL_METRICS, kernelAvailability } from './availability.js';
import { createKernelSession } from './session.js';

export { KERNEL_METRICS, kernelAvailability } from './availability.js';

/**
 * The kernel collector as the runner sees it: network buffers and drops, the workload's page
 * faults, block request latency, run-queue length and cross-CPU calls, each switched on by
 * its own `collect.ebpf.*` key and off by default.
 */
export const kernelCollector: CollectorKind = {
  name: 'kernel',
  provides: KERNEL_METRICS,
  availability: kernelAvailability,
  withoutCgroups: 'the kernel collector cuts its figures at the repetition cgroups, and there are none',
  create(spec, facts) {
    if (!spec.kernel) throw new Error('no kernel part is on in this scenario');
    return createKernelSession(spec.kernel, facts);
  },
};

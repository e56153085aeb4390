import type { KernelParts } from '../../scenario/types.js';
import { bucketCode } from '../ebpf/program.js';

/**
 * The kernel collector's bpftrace program, on tracepoints and a software-clock sampler only.
 *
 * Every map is printed and cleared at each marker, so the snapshot after a repetition holds
 * exactly what happened since the one before it: maxima and queue depth need no subtraction.
 * Only the in-flight state (block request start times, requests in flight) survives a marker.
 *
 * Its marker prefix differs from the main capture's: both programs watch kdelta's renames,
 * and each must answer only its own.
 */
export const KERNEL_MARKER_PREFIX = 'kdk';

/** Tracepoints each part needs, as tracefs names them (`events/<group>/<name>`). */
export const PART_TRACEPOINTS: Record<keyof KernelParts, readonly string[]> = {
  net: ['skb/kfree_skb', 'skb/consume_skb', 'net/netif_receive_skb', 'net/net_dev_xmit', 'tcp/tcp_retransmit_skb', 'tcp/tcp_send_reset', 'tcp/tcp_receive_reset'],
  block: ['block/block_bio_queue', 'block/block_rq_issue', 'block/block_rq_complete'],
  faults: ['exceptions/page_fault_user', 'exceptions/page_fault_kernel'],
  runqueue: [],
  smpCalls: ['irq_vectors/call_function_entry', 'irq_vectors/call_function_single_entry'],
};

export interface KernelProgramOptions {
  parts: KernelParts;
  cgroupIds: readonly bigint[];
  markerPid: number;
  /** Whether tcp_retransmit_skb has its `err` field (a failed retransmit is not a segment sent). */
  retransmitErr?: boolean;
}

function cgroupTest(ids: readonly bigint[]): string {
  return ids.length === 0 ? '0' : ids.map((id) => `$cg == ${id.toString()}`).join(' || ');
}

function netProbes(retransmitErr: boolean): string[] {
  return [
    // Drops are machine-wide: an skb is freed in softirq or another task's context, not the workload's.
    'tracepoint:skb:kfree_skb { @nd[args->reason] = count(); }',
    'tracepoint:skb:consume_skb { @nc = count(); }',
    'tracepoint:net:netif_receive_skb { @nrx[str(args->name)] = count(); }',
    'tracepoint:net:net_dev_xmit { @ntx[str(args->name)] = count(); }',
    // nstat's RetransSegs counts only the retransmits that went out; the tracepoint also fires for failed ones.
    retransmitErr ? 'tracepoint:tcp:tcp_retransmit_skb { if (args->err == 0) { @nre = count(); } else { @nrf = count(); } }' : 'tracepoint:tcp:tcp_retransmit_skb { @nre = count(); }',
    'tracepoint:tcp:tcp_send_reset, tracepoint:tcp:tcp_receive_reset { @nrs = count(); }',
  ];
}

function blockProbes(inSet: string): string[] {
  // A request is known by device and sector from issue to completion; the latency is in ns.
  // The submitter is current only when a bio is queued (issue and completion run in any
  // context), so a bio queued by the workload tags its sector there; a request that completes
  // at a tagged sector is the workload's own. A bio merged behind another keeps its tag until
  // the next request starts at that sector; the in-flight map bounds them.
  return [
    `tracepoint:block:block_bio_queue {
  $cg = cgroup;
  if (${inSet}) { @bo[args->dev, args->sector] = 1; }
}`,
    `tracepoint:block:block_rq_issue {
  @bs[args->dev, args->sector] = nsecs;
  @bi[args->dev] = @bi[args->dev] + 1;
  @bq[args->dev] = max(@bi[args->dev]);
}`,
    `tracepoint:block:block_rq_complete /@bs[args->dev, args->sector]/ {
  $l = nsecs - @bs[args->dev, args->sector];
  delete(@bs[args->dev, args->sector]);
  if (@bi[args->dev] > 0) { @bi[args->dev] = @bi[args->dev] - 1; }
${bucketCode('$l', '  ')}
  @bl[args->dev, args->rwbs, $b] = count();
  @bm[args->dev, args->rwbs] = max($l);
  @bb[args->dev, args->rwbs] = sum(args->nr_sector * 512);
  if (@bo[args->dev, args->sector]) {
    delete(@bo[args->dev, args->sector]);
    @ol[args->dev, args->rwbs, $b] = count();
    @om[args->dev, args->rwbs] = max($l);
    @ob[args->dev, args->rwbs] = sum(args->nr_sector * 512);
  }
}`,
  ];
}

function faultProbes(inSet: string): string[] {
  // The faulting task is current, so the cgroup test admits the workload's own faults.
  return [`tracepoint:exceptions:page_fault_user, tracepoint:exceptions:page_fault_kernel {
  $cg = cgroup;
  if (${inSet}) { @fa = count(); }
}`];
}

function runqueueProbes(): string[] {
  // profile uses the cpu-clock software event, which needs no hardware PMU. The length is
  // the tasks waiting behind the one running, as runqlen counts them.
  return [`profile:hz:99 {
  $n = ((struct task_struct *)curtask)->se.cfs_rq->rq->nr_running;
  $n = $n > 0 ? $n - 1 : 0;
  @rq[cpu, $n] = count();
}`];
}

function smpProbes(): string[] {
  return ['tracepoint:irq_vectors:call_function_entry, tracepoint:irq_vectors:call_function_single_entry { @sc = count(); }'];
}

/** The maps each part prints at a marker. */
const PRINTED: Record<keyof KernelParts, readonly string[]> = {
  net: ['@nd', '@nc', '@nrx', '@ntx', '@nre', '@nrf', '@nrs'],
  block: ['@bl', '@bm', '@bb', '@bq', '@ol', '@om', '@ob'],
  faults: ['@fa'],
  runqueue: ['@rq'],
  smpCalls: ['@sc'],
};

export function buildKernelProgram(o: KernelProgramOptions): string {
  const inSet = `(${cgroupTest(o.cgroupIds)})`;
  const probes: string[] = [];
  const printed: string[] = [];
  const parts = Object.keys(PRINTED) as Array<keyof KernelParts>;
  for (const part of parts) {
    if (!o.parts[part]) continue;
    printed.push(...PRINTED[part]);
    if (part === 'net') probes.push(...netProbes(o.retransmitErr ?? false));
    if (part === 'block') probes.push(...blockProbes(inSet));
    if (part === 'faults') probes.push(...faultProbes(inSet));
    if (part === 'runqueue') probes.push(...runqueueProbes());
    if (part === 'smpCalls') probes.push(...smpProbes());
  }
  const mark = `tracepoint:task:task_rename /pid == ${o.markerPid} && strncmp(args->newcomm, "${KERNEL_MARKER_PREFIX}", ${KERNEL_MARKER_PREFIX.length}) == 0/ {
${printed.map((m) => `  print(${m});`).join('\n')}
${printed.map((m) => `  clear(${m});`).join('\n')}
  printf("kdelta-mark %s\\n", args->newcomm);
}`;
  const inFlight = o.parts.block ? ['@bs', '@bi', '@bo'] : [];
  const end = `END {\n${[...printed, ...inFlight].map((m) => `  clear(${m});`).join('\n')}\n}`;
  return ['// written by kdelta: the kernel collector, one program for all repetitions', ...probes, mark, end].join('\n\n') + '\n';
}

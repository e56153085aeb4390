import { memoryControllerHere, missingTracepoints } from '../collect/kernel/kernel-facts.js';
import { captureBackend } from '../collect/bpf/choose.js';
import { bpfAvailability } from '../collect/bpf/session.js';
import { checkUprobes } from '../collect/bpf/uprobe-check.js';
import { eventsAvailability } from '../collect/bpf/events-session.js';
import { runDoctor } from '../doctor/doctor.js';
import { formatDoctor } from '../doctor/format.js';
import { ensureTracefs, probeMachine } from '../environment/probe.js';
import { EXIT } from '../errors.js';
import type { Io } from '../io.js';
import { useColor } from '../io.js';

export interface DoctorOptions {
  json?: boolean;
  fix?: boolean;
}

/** `kdelta doctor`: what this machine can measure, and why not. It informs, so it exits 0. */
export async function doctorCommand(o: DoctorOptions, io: Io): Promise<number> {
  let facts = await probeMachine();
  if (o.fix) {
    const fixed = await ensureTracefs(facts);
    if (fixed.error) io.stderr.write(`kdelta: could not mount tracefs: ${fixed.error}\n`);
    if (fixed.mounted) facts = await probeMachine();
  }
  const libbpf = bpfAvailability(facts);
  const uprobe = libbpf.state === 'ready' ? await checkUprobes() : null;
  const tracepoints = facts.tracefs ? await missingTracepoints(facts.tracefs) : null;
  const report = runDoctor(facts, { libbpf, backend: captureBackend(), uprobe }, tracepoints, { events: eventsAvailability(facts), memory: await memoryControllerHere(facts.cgroup2) });
  io.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : formatDoctor(report, { color: useColor(io) && !o.json }));
  return EXIT.ok;
}

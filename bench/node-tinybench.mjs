// Tasks for the node-tinybench scenario (scenarios/node-tinybench.yaml): each exported
// function is one tinybench task, run in a child node process inside the repetition's
// cgroup. Inputs are fixed so every repetition does the same work.
import { readFileSync } from 'node:fs';

const numbers = Array.from({ length: 4096 }, (_, i) => (i * 2654435761) % 4093);
const document = {
  scenarios: Array.from({ length: 64 }, (_, i) => ({ name: `s${i}`, samples: numbers.slice(i, i + 16), gated: i % 3 === 0 })),
};

/** Pure JS: a copy and sort of 4096 numbers (allocation, comparator calls). */
export function sortNumbers() {
  return numbers.slice().sort((a, b) => a - b);
}

/** Pure JS: a JSON round trip of a ~20 KB object (string building, parsing, GC). */
export function jsonRoundTrip() {
  return JSON.parse(JSON.stringify(document));
}

/** Into the kernel: open, read and close of a small procfs file, three syscalls a call. */
export function readProcFile() {
  return readFileSync('/proc/self/stat', 'latin1');
}

import { describe, expect, it } from 'vitest';
import { builtinArgs } from '../../src/workload/builtin.js';
import { argvLabel } from '../../src/workload/command.js';

const base = { kind: 'builtin' as const, timeoutMs: 1000, metrics: [], threads: 4, durationMs: 300, count: 1000, cpu: null };

describe('builtin arguments', () => {
  it('cpu-contention passes threads and duration', () => {
    expect(builtinArgs({ ...base, name: 'cpu-contention' })).toEqual(['cpu-contention', '--threads', '4', '--duration-ms', '300']);
  });
  it('pipe-pingpong maps threads to pairs and count to round trips', () => {
    expect(builtinArgs({ ...base, name: 'pipe-pingpong' })).toEqual(['pipe-pingpong', '--count', '1000', '--pairs', '4']);
  });
  it('a pinned syscall-loop passes --cpu', () => {
    expect(builtinArgs({ ...base, name: 'syscall-loop', cpu: 1 })).toEqual(['syscall-loop', '--count', '1000', '--cpu', '1']);
  });
  it('loopback-tcp takes its byte count from count', () => {
    expect(builtinArgs({ ...base, name: 'loopback-tcp' })).toEqual(['loopback-tcp', '--bytes', '1000']);
  });
});

describe('argv labels', () => {
  it('quotes arguments with spaces or shell characters for messages', () => {
    expect(argvLabel(['sh', '-c', "echo 'hi' && exit 3"])).toBe(`sh -c 'echo '\\''hi'\\'' && exit 3'`);
    expect(argvLabel(['stress-ng', '--cpu', '4'])).toBe('stress-ng --cpu 4');
  });
});

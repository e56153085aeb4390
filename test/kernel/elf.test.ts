import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { elfProblem, elfSections, functionSymbols, usdtProbes } from '../../src/kernel/elf.js';

// A real binary of the build: the groups test program, with its USDT window probes.
const GROUPS = resolve(__dirname, '../../helpers/bin/kdelta-groups');

describe('ELF reading (over helpers/bin/kdelta-groups)', () => {
  const buf = readFileSync(GROUPS);

  test('reads the section headers by name', () => {
    expect(elfProblem(buf)).toBeNull();
    const names = (elfSections(buf) ?? []).map((s) => s.name);
    expect(names).toContain('.text');
    expect(names).toContain('.note.stapsdt');
  });

  test('finds the USDT probes groups.c declares, and no other', () => {
    const probes = usdtProbes(buf).map((p) => `${p.provider}:${p.name}`);
    expect(new Set(probes)).toEqual(new Set(['kdelta:window_start', 'kdelta:window_end']));
  });

  test('finds defined functions, not imports', () => {
    const fns = functionSymbols(buf);
    expect(fns.has('kdelta_slow_call')).toBe(true);
    expect(fns.has('main')).toBe(true);
    // pthread_create is called, but its code is in libc: no uprobe on this file can reach it.
    expect(fns.has('pthread_create')).toBe(false);
    expect(fns.has('no_such_function')).toBe(false);
  });

  test('refuses what is not a 64-bit little-endian ELF', () => {
    expect(elfProblem(Buffer.from('#!/bin/sh\necho hi\n'.padEnd(80)))).toBe('not an ELF file');
    const b32 = Buffer.from(buf.subarray(0, 64));
    b32[4] = 1;
    expect(elfProblem(b32)).toMatch(/32-bit/);
    expect(elfSections(b32)).toBeNull();
    expect(usdtProbes(Buffer.alloc(10))).toEqual([]);
    expect(functionSymbols(Buffer.alloc(10)).size).toBe(0);
  });

  test('a truncated file yields nothing rather than throwing', () => {
    const cut = buf.subarray(0, Math.floor(buf.length / 2));
    expect(() => usdtProbes(cut)).not.toThrow();
    expect(() => functionSymbols(cut)).not.toThrow();
  });
});

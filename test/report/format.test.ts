import { describe, expect, test } from 'vitest';
import { formatChange, formatCi, formatP, formatValue } from '../../src/report/format.js';

describe('formatValue', () => {
  test.each([
    [12, 'ns', '12 ns'],
    [999.7, 'ns', '1.00 µs'],
    [1234, 'ns', '1.23 µs'],
    [1_234_567, 'ns', '1.23 ms'],
    [2.5e9, 'ns', '2.50 s'],
    [150, 'us', '150 µs'],
    [1_234_567, '1', '1,234,567'],
    [1.5, '1', '1.5'],
    [0.1234, 'ratio', '12.3%'],
    [3000, 'B', '2.93 KiB'],
    [5, 'widgets', '5 widgets'],
    [NaN, 'ns', 'n/a'],
    [null, 'ns', 'n/a'],
  ] as const)('%s %s -> %s', (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });
});

describe('changes and p-values', () => {
  test('changes are signed percentages', () => {
    expect(formatChange(0.142)).toBe('+14.2%');
    expect(formatChange(-0.03)).toBe('-3.0%');
    expect(formatChange(-0.0001)).toBe('0.0%');
    expect(formatChange(2.5)).toBe('+250%');
    expect(formatChange(Infinity)).toBe('n/a');
    expect(formatCi([0.1, null])).toBe('+10.0% … n/a');
  });

  test('p-values have three decimals, scientific below 0.001', () => {
    expect(formatP(0.0031)).toBe('0.003');
    expect(formatP(0.00012)).toBe('1.2e-4');
    expect(formatP(1)).toBe('1.000');
  });
});

import { describe, expect, it } from 'vitest';
import { BoundedOutput, textTail } from '../../src/workload/output.js';

describe('bounded output', () => {
  it('keeps everything while under the bounds', () => {
    const o = new BoundedOutput(10, 10);
    o.push(Buffer.from('hello '));
    o.push(Buffer.from('world'));
    expect(o.truncated).toBe(false);
    expect(o.text()).toBe('hello world');
  });

  it('keeps the head and the last whole lines of the tail, marking the gap', () => {
    const o = new BoundedOutput(6, 12);
    for (let i = 0; i < 100; i++) o.push(Buffer.from(`line${i}\n`));
    const text = o.text();
    expect(o.truncated).toBe(true);
    expect(text.startsWith('line0\n')).toBe(true);
    expect(text).toMatch(/\[kdelta: \d+ bytes of output not kept\]/);
    expect(text.endsWith('line99\n')).toBe(true);
    expect(text).not.toContain('line50');
  });

  it('memory stays bounded however much is pushed', () => {
    const o = new BoundedOutput(0, 1024);
    const chunk = Buffer.alloc(4096, 0x61);
    for (let i = 0; i < 1000; i++) o.push(chunk);
    expect(o.total).toBe(4096 * 1000);
    expect(Buffer.byteLength(o.text())).toBeLessThan(8192 + 100);
  });

  it('a stderr tail starts at a line boundary', () => {
    const text = `${'x'.repeat(5000)}\nerror: the last line\n`;
    expect(textTail(text, 30)).toBe('error: the last line\n');
    expect(textTail('short', 30)).toBe('short');
  });
});

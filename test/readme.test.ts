import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioFromText } from '../src/scenario/load.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('its scenario reference is a valid scenario file, so the documented keys are the real ones', () => {
    const section = readme.slice(readme.indexOf('## Scenario reference'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml, 'a ```yaml block under "Scenario reference"').toBeDefined();
    const parsed = scenarioFromText('README.md', resolve('README.md'), yaml!);
    expect(parsed.problems).toEqual([]);
    expect(parsed.scenario?.gate.limits.map((l) => [l.text, l.each])).toEqual([
      ['sched.ready_delay.p99 < 2ms', false],
      ['workload.wall_time < 5s', true],
    ]);
  });

  it('names the test command that .ci/run calls', () => {
    expect(readme).toMatch(/```sh\nnpm test\n```/);
    expect(readFileSync('.ci/run', 'utf8')).toMatch(/^npm test /m);
  });
});

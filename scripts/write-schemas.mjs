// Writes the committed JSON Schemas from the schema constants in the build (run `npm run build` first).
// Tests compare the committed files with the constants, so a change that forgets this fails CI.
import { writeFileSync } from 'node:fs';
import { scenarioSchema } from '../dist/scenario/schema.js';
import { baselineSchema } from '../dist/baselines/schema.js';
import { reportSchema } from '../dist/report/schema.js';

for (const [name, schema] of [['scenario', scenarioSchema], ['baseline', baselineSchema], ['report', reportSchema]]) {
  writeFileSync(new URL(`../schemas/${name}.schema.json`, import.meta.url), JSON.stringify(schema, null, 2) + '\n');
  console.error(`wrote schemas/${name}.schema.json`);
}

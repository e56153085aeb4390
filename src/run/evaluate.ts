// Comparing runs and assembling the report's scenarios is the report stage's job (it words
// every verdict); this keeps the old import path working until the commands import it there.
export { evaluateRuns, overallStatus, type BaselineMatch } from '../report/evaluate.js';

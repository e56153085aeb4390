import { Buffer } from 'node:buffer';
import { LineCounter, isMap, isPair, isSeq, parseDocument, type Document, type Pair } from 'yaml';
import { BOUNDS, describeBytes } from './bounds.js';
import { keyText, Positions } from './positions.js';

/** A problem found while reading the text, before anything knows what a scenario is. */
export interface TextProblem {
  line: number;
  col: number;
  message: string;
}

export type ParsedText = { ok: true; raw: unknown; positions: Positions } | { ok: false; problems: TextProblem[] };

/** Map keys repeated in one mapping, at the second key. A Set per mapping keeps it linear (yaml's own check compares every pair). */
function duplicateKeys(doc: Document, lines: LineCounter): TextProblem[] {
  const out: TextProblem[] = [];
  // An explicit stack: nesting is as deep as the file says, and recursion would overflow first.
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items as Pair[]) {
        const key = keyText(pair);
        if (seen.has(key)) {
          const offset = (pair.key as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
          out.push({ ...lines.linePos(offset), message: 'YAML syntax: Map keys must be unique' });
        }
        seen.add(key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      stack.push(...node.items);
    } else if (isPair(node)) {
      stack.push(node.value);
    }
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

function yamlMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a scenario file holds one scenario: put each document after --- in a file of its own';
  if (code === 'RESOURCE_EXHAUSTION') return 'the file nests too deeply to read: a scenario needs a few levels of keys';
  return `YAML syntax: ${message.split('\n')[0] ?? message}`;
}

/**
 * JSON's own rules for a .json file: YAML reads `{"a": 1,}`, comments and unquoted words too,
 * and a file that claims to be JSON should load the same in every JSON reader.
 */
function strictJson(text: string, lines: LineCounter): { ok: true; value: unknown } | { ok: false; problem: TextProblem } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/u.exec(message);
    const offset = at?.[1] !== undefined ? Number(at[1]) : text.length;
    const why = message.replace(/\s*in JSON at position \d+.*$/u, '').replace(/^Unexpected end of JSON input$/u, 'the file ends early');
    return { ok: false, problem: { ...lines.linePos(offset), message: `JSON syntax: ${why} (a .json scenario is read as strict JSON: no trailing commas or comments)` } };
  }
}

/**
 * Text -> data, with positions for later messages. `json` reads the text by JSON's rules but
 * takes positions from the YAML parser (JSON is YAML), so both kinds of file point alike.
 */
export function parseScenarioText(text: string, json: boolean): ParsedText {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > BOUNDS.fileBytes) {
    const message = `the file is ${describeBytes(bytes)}: a scenario file may be at most ${describeBytes(BOUNDS.fileBytes)}`;
    return { ok: false, problems: [{ line: 1, col: 1, message }] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((err) => ({ ...lines.linePos(err.pos[0]), message: yamlMessage(err.code, err.message) })) };
  }
  const duplicates = duplicateKeys(doc, lines);
  if (duplicates.length > 0) return { ok: false, problems: duplicates };
  let raw: unknown;
  if (json) {
    const parsed = strictJson(text, lines);
    if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
    raw = parsed.value;
  } else {
    try {
      raw = doc.toJS({ maxAliasCount: BOUNDS.aliases });
    } catch (err) {
      // yaml throws a ReferenceError when aliases expand past the count: an alias bomb.
      if (!(err instanceof ReferenceError)) throw err;
      const message = `YAML aliases expand too far (more than ${BOUNDS.aliases} copies): write the values out, or use fewer * aliases`;
      return { ok: false, problems: [{ line: 1, col: 1, message }] };
    }
  }
  return { ok: true, raw, positions: new Positions(doc, lines) };
}

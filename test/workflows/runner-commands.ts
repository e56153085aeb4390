/**
 * What a GitHub Actions runner would execute in a step's output, modelled on the runner's own
 * parser: input split on CR, LF and CRLF; a line whose start (after .NET's TrimStart) is
 * `::name ...::data` with a registered name; or a legacy `##[name ...]data` anywhere in a line.
 */
export const REGISTERED_COMMANDS = [
  'set-env', 'set-output', 'save-state', 'add-mask', 'add-path', 'add-matcher', 'remove-matcher',
  'debug', 'warning', 'error', 'notice', 'group', 'endgroup', 'echo', 'stop-commands',
] as const;

export interface RunnerCommand {
  form: 'v2' | 'legacy';
  name: string;
  properties: Record<string, string>;
  data: string;
  line: string;
}

// Char.IsWhiteSpace: what TrimStart removes.
const DOTNET_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) =>
  s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

function parseV2(line: string): RunnerCommand | null {
  const m = line.replace(DOTNET_SPACE, '');
  if (!m.startsWith('::')) return null;
  const end = m.indexOf('::', 2);
  if (end < 0) return null;
  const info = m.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!(REGISTERED_COMMANDS as readonly string[]).includes(name)) return null;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const p of info.slice(space + 1).trim().split(',').filter(Boolean)) {
      const eq = p.indexOf('=');
      if (eq > 0 && eq < p.length - 1) properties[p.slice(0, eq)] = unescapeProperty(p.slice(eq + 1));
    }
  }
  return { form: 'v2', name, properties, data: unescapeData(m.slice(end + 2)), line };
}

function parseLegacy(line: string): RunnerCommand | null {
  const at = line.indexOf('##[');
  if (at < 0) return null;
  const rb = line.indexOf(']', at);
  if (rb < 0) return null;
  const info = line.slice(at + 3, rb);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!(REGISTERED_COMMANDS as readonly string[]).includes(name)) return null;
  return { form: 'legacy', name, properties: {}, data: line.slice(rb + 1), line };
}

/** Every command a runner would execute in this output (bytes are decoded as UTF-8, as the runner does). */
export function runnerCommands(output: string | Uint8Array): RunnerCommand[] {
  const text = typeof output === 'string' ? output : new TextDecoder('utf-8').decode(output);
  return text.split(/\r\n|\r|\n/).flatMap((line) => {
    const c = parseV2(line) ?? parseLegacy(line);
    return c ? [c] : [];
  });
}

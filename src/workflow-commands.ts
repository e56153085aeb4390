/*
 * GitHub Actions reads workflow commands from every line a step prints, on stdout and stderr.
 * The runner splits its input on CR, LF and CRLF, then runs a line as a command when, after
 * its leading whitespace is trimmed, it starts with `::name ...::`, or when it holds the
 * legacy `##[name ...]` anywhere. So text kdelta did not write itself (scenario names, metric
 * names, values a workload printed, argv, paths, error messages) must never bring a line break,
 * a leading `::` or a `##[` into kdelta's output. The escapes of command data and properties are
 * the ones the runner undoes: `%25`, `%0D`, `%0A`, and `%3A`, `%2C` in properties.
 */

/** Escapes the message part of a workflow command (after `::`). */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value of a workflow command (`file=`, `title=`), where `:` and `,` are separators. */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

// C0 and C1 controls (CR, LF, ESC, NEL, ...) and the Unicode line and paragraph separators: each
// either breaks a line for some reader or moves a terminal's cursor.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
}

/**
 * Untrusted text made safe to place anywhere inside one log line: control characters shown as
 * `\xNN`, and no `::` or `##[` left (their first character shown as `\x3a` / `\x23`), so the
 * text can neither end the line nor form a command with what kdelta writes around it.
 */
export function inertText(text: string): string {
  return text
    .replace(CONTROL, visible)
    .replace(/:(?=:)/g, '\\x3a')
    .replace(/#(?=#\[)/g, '\\x23');
}

// What .NET's TrimStart removes (Char.IsWhiteSpace), which the runner applies before looking for `::`.
const LEADING_SPACE = /^[\s\u0085]*/;

/**
 * One whole line kdelta writes that is not one of its own workflow commands: made inert even
 * when the text around the untrusted parts would complete a command (a line that starts with
 * `::` after whitespace, a `##[` formed across a boundary). Control characters are shown as
 * `\xNN`, so the result is always one line.
 */
export function inertLine(line: string): string {
  // Colour (an SGR sequence) is the one escape kdelta itself writes; it cannot form a command.
  // eslint-disable-next-line no-control-regex
  const text = line.replace(/\u001B\[[0-9;]*m|[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, (m) => (m.length > 1 ? m : visible(m))).replace(/#(?=#\[)/g, '\\x23');
  const lead = LEADING_SPACE.exec(text)?.[0] ?? '';
  return text.startsWith('::', lead.length) ? `${lead}\\x3a${text.slice(lead.length + 1)}` : text;
}

/**
 * Plain output text (any number of lines, each ended by `\n`) with every line made inert;
 * the line ends kdelta wrote are kept.
 */
export function inertLines(text: string): string {
  return text
    .split('\n')
    .map((l, i, all) => (i === all.length - 1 && l === '' ? l : inertLine(l)))
    .join('\n');
}

export function groupStartCommand(title: string): string {
  return `::group::${escapeCommandData(title)}`;
}

export function groupEndCommand(): string {
  return '::endgroup::';
}

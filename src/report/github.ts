import { isAbsolute, relative, sep } from 'node:path';
import { environmentErrorOf, failureLine, worstFailures } from './items.js';
import { renderMarkdown } from './markdown.js';
import { sidesOf } from './sides.js';
import type { Report } from './types.js';
import { failureHeadline, INPUT_FAILURE } from './verdicts.js';
import { escapeCommandData, escapeCommandProperty, groupEndCommand, groupStartCommand } from '../workflow-commands.js';

export { escapeCommandData, escapeCommandProperty, groupEndCommand, groupStartCommand, inertLine, inertLines, inertText } from '../workflow-commands.js';

/*
 * GitHub Actions output: workflow commands (annotations, groups) and the step summary.
 * Everything the outside world offers comes in as a parameter, so tests run in-process.
 */

export interface GithubIo {
  env: Record<string, string | undefined>;
  /** Writes one whole line of workflow command (the runner reads them from stdout and stderr). */
  writeLine: (line: string) => void;
  /** Appends to a file; `fs.promises.appendFile` in production. */
  appendFile: (path: string, text: string) => Promise<void>;
}

/** At most this many regression annotations: GitHub shows ten per step anyway, and more is noise. */
export const MAX_ANNOTATIONS = 10;

export function isGithubActions(env: Record<string, string | undefined>): boolean {
  return env['GITHUB_ACTIONS'] === 'true';
}

export interface AnnotationProperties {
  file?: string;
  line?: number;
  title?: string;
}

/** `::error file=...,title=...::message`, escaped. */
export function errorCommand(props: AnnotationProperties, message: string): string {
  const parts: string[] = [];
  if (props.file !== undefined) parts.push(`file=${escapeCommandProperty(props.file)}`);
  if (props.line !== undefined) parts.push(`line=${props.line}`);
  if (props.title !== undefined) parts.push(`title=${escapeCommandProperty(props.title)}`);
  return `::error${parts.length ? ` ${parts.join(',')}` : ''}::${escapeCommandData(message)}`;
}

/** Runs `fn` inside a `::group::` when in GitHub Actions; the group is closed even when `fn` throws. */
export async function withGroup<T>(io: GithubIo, title: string, fn: () => Promise<T>): Promise<T> {
  if (!isGithubActions(io.env)) return fn();
  io.writeLine(groupStartCommand(title));
  try {
    return await fn();
  } finally {
    io.writeLine(groupEndCommand());
  }
}

/** A scenario file as GitHub can place it: relative to the workspace when it is inside it. */
function annotationFile(file: string, workspace: string | undefined): string {
  if (!workspace || !isAbsolute(file)) return file;
  const rel = relative(workspace, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel.split(sep).join('/');
}

/**
 * `::error` commands for the worst regressions and broken limits (at most ten), then one per
 * failed workload and one per scenario that could not run here (at most ten each), each on
 * the scenario file.
 */
export function annotationCommands(report: Report, env: Record<string, string | undefined>): string[] {
  const workspace = env['GITHUB_WORKSPACE'];
  const lines = worstFailures(report, MAX_ANNOTATIONS).map((item) =>
    errorCommand(
      {
        file: annotationFile(item.scenario.file, workspace),
        title: `kdelta: ${item.verdict?.status === 'limit-exceeded' ? 'limit exceeded' : 'regression'} in ${item.scenario.name}`,
      },
      failureLine(item, sidesOf(report)),
    ),
  );
  const failed = report.scenarios.filter((s) => s.failure !== null).slice(0, MAX_ANNOTATIONS);
  for (const s of failed) {
    const f = s.failure!;
    const tail = f.stderrTail.trimEnd().split('\n').slice(-5).join('\n');
    lines.push(
      errorCommand(
        { file: annotationFile(s.file, workspace), title: f.kind === INPUT_FAILURE ? `kdelta: ${failureHeadline(f)} in ${s.name}` : `kdelta: workload failed in ${s.name}` },
        f.kind === INPUT_FAILURE ? f.message : `repetition ${f.repetition}: ${f.message}${tail ? `\n${tail}` : ''}`,
      ),
    );
  }
  const couldNotRun = report.scenarios
    .flatMap((s) => {
      const why = environmentErrorOf(s);
      return why === null ? [] : [{ s, why }];
    })
    .slice(0, MAX_ANNOTATIONS);
  for (const { s, why } of couldNotRun) {
    lines.push(errorCommand({ file: annotationFile(s.file, workspace), title: `kdelta: ${s.name} could not run` }, why));
  }
  return lines;
}

export interface GithubPublication {
  annotations: number;
  /** The file the summary was appended to, or null when $GITHUB_STEP_SUMMARY is not set. */
  summaryFile: string | null;
}

/**
 * At the end of a run: annotations when running in GitHub Actions, and the Markdown summary
 * appended to $GITHUB_STEP_SUMMARY whenever that is set.
 */
export async function publishToGithub(report: Report, io: GithubIo): Promise<GithubPublication> {
  let annotations = 0;
  if (isGithubActions(io.env)) {
    for (const line of annotationCommands(report, io.env)) {
      io.writeLine(line);
      annotations++;
    }
  }
  const summaryFile = io.env['GITHUB_STEP_SUMMARY'] || null;
  if (summaryFile) await io.appendFile(summaryFile, `${renderMarkdown(report, { variant: 'summary' })}\n`);
  return { annotations, summaryFile };
}

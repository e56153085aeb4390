// Shared by the report tests: the repository root, the Jenkins XSD beside it, and the
// external tools the formats are checked with (run for real, never mocked).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/**
 * The Jenkins JUnit XSD, vendored from ../shared/conformance/ so the tests also run where
 * shared/ is not beside the clone (GitHub's CI); .ci/run checks the copy is identical.
 */
export const jenkinsXsd = resolve(repoRoot, 'test/fixtures/conformance/jenkins-junit.xsd');

export function tempDir(prefix = 'kdelta-report-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs xmllint's schema validation; returns its exit status and messages instead of throwing. */
export function xmllintSchema(xml: string, xsd: string = jenkinsXsd): { status: number; output: string } {
  const file = join(tempDir(), 'junit.xml');
  writeFileSync(file, xml);
  const run = spawnSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

/** Evaluates an XPath expression with xmllint on the XML text (values come back entity-decoded). */
export function xpath(xml: string, expr: string): string {
  const file = join(tempDir(), 'doc.xml');
  writeFileSync(file, xml);
  // xmllint ends its answer with a newline of its own.
  return execFileSync('xmllint', ['--xpath', expr, file], { encoding: 'utf8' }).replace(/\n$/, '');
}

/** Renders GFM to HTML with Debian's cmark-gfm and the table extension (raw HTML allowed, as GitHub does after sanitising). */
export function cmarkGfm(markdown: string, unsafe = false): string {
  return execFileSync('cmark-gfm', ['-e', 'table', ...(unsafe ? ['--unsafe'] : [])], {
    input: markdown,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** The text of HTML: tags dropped, the entities cmark-gfm writes decoded. */
export function htmlText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The <table> elements of HTML, each as its list of rows, each row as its cell texts. */
export function htmlTables(html: string): string[][][] {
  return Array.from(html.matchAll(/<table>([\s\S]*?)<\/table>/g), (t) =>
    Array.from(t[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g), (r) =>
      Array.from(r[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g), (c) => htmlText(c[1]!)),
    ),
  );
}

/**
 * The Jenkins XSD with exactly the attributes kdelta adds and nothing else: `file` and `line`
 * on <testcase>, `skipped` on <testsuites>.
 */
export function extendedJenkinsXsd(): string {
  const text = readFileSync(jenkinsXsd, 'utf8');
  const optional = (name: string): string => `<xs:attribute name="${name}" type="xs:string" use="optional"/>`;
  const withCase = text.replace(/(<xs:element name="testcase">[\s\S]*?)(<xs:attribute name="name")/, `$1${optional('file')}${optional('line')}$2`);
  const withRoot = withCase.replace(/(<xs:element name="testsuites">[\s\S]*?)(<xs:attribute name="name")/, `$1${optional('skipped')}$2`);
  if (withRoot === withCase || withCase === text) throw new Error('the Jenkins XSD changed shape: update extendedJenkinsXsd');
  const file = join(tempDir(), 'jenkins-junit-kdelta.xsd');
  writeFileSync(file, withRoot);
  return file;
}

/** The extended XSD CI validates with (ci.yml, .ci/run), committed beside the Jenkins one. */
export const kdeltaXsd = resolve(repoRoot, 'test/fixtures/conformance/jenkins-junit-kdelta.xsd');

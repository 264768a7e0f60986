/**
 * The shape every schema check returns, and how `npm run schema:check` prints them: one status line
 * per check, then indented details, so a failing CI log reads top to bottom without scrolling back.
 */

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  check: 'drift' | 'composition' | 'breaking changes' | 'operations' | 'persisted operations' | 'codegen';
  status: CheckStatus;
  summary: string;
  details: string[];
}

export const skipped = (check: CheckResult['check'], summary: string): CheckResult => ({
  check,
  status: 'skip',
  summary,
  details: [],
});

export function failed(results: CheckResult[]): CheckResult[] {
  return results.filter((result) => result.status === 'fail');
}

export function formatReport(results: CheckResult[]): string {
  const width = Math.max(...results.map((result) => result.check.length));
  const lines = results.flatMap((result) => [
    `${result.status.toUpperCase().padEnd(4)}  ${result.check.padEnd(width)}  ${result.summary}`,
    ...result.details.map((detail) => `      ${detail}`),
  ]);
  const failures = failed(results);
  const verdict =
    failures.length > 0
      ? `schema:check failed: ${failures.map((result) => result.check).join(', ')}`
      : `schema:check passed${results.some((result) => result.status === 'skip') ? ' (with skipped checks)' : ''}`;
  return `${lines.join('\n')}\n\n${verdict}\n`;
}

import { parse } from 'yaml';

/**
 * Intended breaking changes, committed next to the supergraph so the reason is reviewed with the
 * change. An entry names the change exactly as `schema:check` prints it; matching ignores only
 * surrounding spaces and a final period, so a copied line always matches.
 */

export const ACKNOWLEDGEMENTS_FILE = 'schema-changes.acknowledged.yaml';

export interface Acknowledgement {
  change: string;
  reason: string;
}

/** Throws with the file name and the entry at fault: a malformed file must fail the check, not pass it. */
export function parseAcknowledgements(text: string | undefined, file = ACKNOWLEDGEMENTS_FILE): Acknowledgement[] {
  if (text === undefined) return [];
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  if (raw === null || raw === undefined) return [];
  const list = isRecord(raw) ? (raw.acknowledged ?? []) : undefined;
  if (!Array.isArray(list) || Object.keys(raw as object).some((key) => key !== 'acknowledged')) {
    throw new Error(`${file}: expected only a list under "acknowledged"`);
  }
  return list.map((entry: unknown, index) => {
    const change = isRecord(entry) ? entry.change : undefined;
    const reason = isRecord(entry) ? entry.reason : undefined;
    const onlyKnownKeys = isRecord(entry) && Object.keys(entry).every((key) => key === 'change' || key === 'reason');
    if (!onlyKnownKeys || !isText(change) || !isText(reason)) {
      throw new Error(
        `${file}: entry ${index + 1} needs exactly "change" (as schema:check reports it) and a non-empty "reason"`,
      );
    }
    return { change: change.trim(), reason: reason.trim() };
  });
}

export function sameChange(a: string, b: string): boolean {
  const normalize = (change: string) => change.trim().replace(/\.$/, '');
  return normalize(a) === normalize(b);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

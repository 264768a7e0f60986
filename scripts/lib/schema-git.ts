import { execFileSync } from 'node:child_process';
import type { BaseSupergraph } from './schema-breaking.ts';

/**
 * The base the API schema is compared against: the committed supergraph.graphql at `--base`, or by
 * default at the merge base with main, so a branch is judged by its own changes only. Read with
 * `git show` so the working tree stays untouched.
 */

const DEFAULT_BRANCHES = ['main', 'origin/main'];

/** Throws when an explicit `--base` is not a commit; a missing default base is a skip, not a failure. */
export function readBaseSupergraph(root: string, ref: string | undefined, file = 'supergraph.graphql'): BaseSupergraph {
  const base = ref === undefined ? defaultBase(root) : explicitBase(root, ref);
  if ('skipped' in base) return base;
  // `<commit>:./path` is resolved from the working directory, which may be below the git top level.
  const path = `${base.commit}:./${file}`;
  if (git(root, ['cat-file', '-e', path]) === undefined) {
    return { skipped: `${base.label} has no ${file}; nothing to compare against` };
  }
  return { label: base.label, sdl: git(root, ['show', path]) ?? '' };
}

function explicitBase(root: string, ref: string): { label: string; commit: string } {
  const commit = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (commit === undefined) throw new Error(`--base ${ref}: not a commit in this repository`);
  return { label: `${ref} (${commit.slice(0, 12)})`, commit };
}

function defaultBase(root: string): { label: string; commit: string } | { skipped: string } {
  for (const branch of DEFAULT_BRANCHES) {
    const commit = git(root, ['merge-base', 'HEAD', branch]);
    if (commit !== undefined) return { label: `the merge base with ${branch} (${commit.slice(0, 12)})`, commit };
  }
  return {
    skipped: `no merge base with ${DEFAULT_BRANCHES.join(' or ')} (not a git checkout, or a shallow clone?); pass --base <git-ref>`,
  };
}

/** Trimmed stdout, or undefined when git exits non-zero (unknown ref, missing path, no repository). */
function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trimEnd();
  } catch {
    return undefined;
  }
}

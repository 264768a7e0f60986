/**
 * What a shipped package may contain: its build output, never test code. `npm run check:packages`
 * feeds this the file list `npm pack` would ship for every workspace except the test-only ones.
 */

/** Workspaces that exist for tests only: never shipped, never a dependency of a shipped package. */
export const TEST_WORKSPACES = ['e2e', 'test-support'];

const TEST_PACKAGES = TEST_WORKSPACES.map((workspace) => `@commerce-supergraph/${workspace}`);

/** Folder names that hold tests or test helpers, wherever they sit in a path. */
const TEST_FOLDERS = new Set(['test', 'tests', '__tests__', 'testing', 'test-support', 'e2e']);

/** File names of tests and benchmarks (`*.test.*`, compiled or not), test configuration, test helpers. */
const TEST_FILES = [/\.(test|spec|bench)\./, /^vitest\.config\./, /memory-bus/, /test-support/];

/** True when a packed path (relative to the package, `/`-separated) is test code. */
export function isTestPath(path: string): boolean {
  const parts = path.split('/');
  const name = parts.at(-1) ?? '';
  return (
    parts.slice(0, -1).some((folder) => TEST_FOLDERS.has(folder)) || TEST_FILES.some((pattern) => pattern.test(name))
  );
}

/** True for a workspace folder (as listed in the root package.json, e.g. `subgraphs/order`) that ships. */
export function isShippedWorkspace(folder: string): boolean {
  return !TEST_WORKSPACES.includes(folder);
}

export interface PackedPackage {
  /** The workspace folder, e.g. `subgraphs/order`. */
  workspace: string;
  /** The paths `npm pack` would put in the tarball. */
  files: string[];
  /** The package.json fields that say what installing it pulls in. */
  manifest: {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
}

/** Why a shipped package is wrong: empty when it holds build output and nothing test-shaped. */
export function packageProblems(pack: PackedPackage): string[] {
  const problems = pack.files.filter(isTestPath).map((file) => `ships test code: ${file}`);
  if (!pack.files.some((file) => file.startsWith('dist/'))) {
    problems.push('ships no dist/ files: build first (npm run build), or a files field lost dist');
  }
  const { dependencies = {}, optionalDependencies = {}, peerDependencies = {} } = pack.manifest;
  for (const name of TEST_PACKAGES) {
    if (name in dependencies || name in optionalDependencies || name in peerDependencies) {
      problems.push(`depends on ${name}, which is for tests only (make it a devDependency)`);
    }
  }
  return problems;
}

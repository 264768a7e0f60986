// `npm run check:packages` (after a build): fails when a shipped workspace (shared, gateway, every
// subgraph) would pack test code, packs no build output, or depends on a test-only workspace.
// The rules live in lib/package-check.ts; this file only asks npm what each package would ship.
import { execFileSync } from 'node:child_process';
import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isShippedWorkspace, type PackedPackage, packageProblems } from './lib/package-check.ts';
import { REPO_ROOT } from './lib/supergraph-config.ts';

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** The root package.json's workspace globs, expanded to folders that hold a package.json. */
function workspaces(): string[] {
  const patterns: string[] = readJson(join(REPO_ROOT, 'package.json')).workspaces ?? [];
  return patterns
    .flatMap((pattern) => globSync(`${pattern}/package.json`, { cwd: REPO_ROOT }))
    .map((manifest) => manifest.replace(/\/package\.json$/, ''))
    .sort();
}

/** What `npm pack` would put in each workspace's tarball, without writing one. */
function packedFiles(folders: string[]): Map<string, string[]> {
  const args = ['pack', '--dry-run', '--json', '--ignore-scripts', ...folders.flatMap((f) => ['--workspace', f])];
  const output = execFileSync('npm', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const packs: { name: string; files: { path: string }[] }[] = JSON.parse(output);
  return new Map(packs.map((pack) => [pack.name, pack.files.map((file) => file.path)]));
}

try {
  const shipped = workspaces().filter(isShippedWorkspace);
  if (shipped.length === 0) throw new Error('no shipped workspace found in package.json');
  const files = packedFiles(shipped);
  let failures = 0;
  for (const workspace of shipped) {
    const manifest = readJson(join(REPO_ROOT, workspace, 'package.json'));
    const packed = files.get(manifest.name);
    const pack: PackedPackage = { workspace, files: packed ?? [], manifest };
    const problems = packed ? packageProblems(pack) : [`npm pack listed nothing for ${manifest.name}`];
    if (problems.length === 0) {
      console.log(`ok   ${workspace}: ${pack.files.length} files`);
      continue;
    }
    failures += 1;
    console.error(`FAIL ${workspace}:`);
    for (const problem of problems) console.error(`  - ${problem}`);
  }
  if (failures > 0) {
    console.error(`\n${failures} package(s) would ship what they must not (a stale dist/? rm -rf it and rebuild).`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`check:packages: ${(error as Error).message}`);
  process.exitCode = 1;
}

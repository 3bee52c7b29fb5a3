// Every package a workspace's runtime code imports is declared in THAT workspace's package.json dependencies
// (or is a workspace or a Node built-in). The worker image installs with `npm ci --omit=dev`, so a runtime import
// that only resolves through a root devDependency (protobufjs for the LLM path, issue 14.10) or through another
// workspace's hoisted dependency would crash in the image while every test here passes. Type-only imports are
// exempt (erased at run time); test files and test helpers are not runtime code, and a source module that only
// tests and benchmarks import (e.g. a TF.js reference for parity tests) may use the workspace's devDependencies.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../bench/lib/services.ts';

const WORKSPACES = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'test-support' ? [] : sources(p);
    return /\.ts$/.test(f) && !/\.test(-helper)?\.ts$/.test(f) ? [p] : [];
  });
}

/** Bare package names imported at run time (static value imports, re-exports, dynamic import()). */
export function runtimeImports(code: string): string[] {
  const names = new Set<string>();
  const specs = [
    ...[...code.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?\bfrom\s+'([^']+)'/gm)].map((m) => m[1]!),
    ...[...code.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!),
    ...[...code.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
  ];
  for (const s of specs) {
    if (s.startsWith('.') || s.startsWith('node:') || builtinModules.includes(s.split('/')[0]!)) continue;
    names.add(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!);
  }
  return [...names];
}

/** Source files (absolute) that some runtime source file imports (relative or @llmrec/<workspace>/ specifiers). */
function importedByRuntime(): Set<string> {
  const out = new Set<string>();
  for (const ws of WORKSPACES) {
    for (const file of sources(join(repoRoot, ws, 'src'))) {
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/(?:\bfrom\s+|\bimport\(\s*)'([^']+)'/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) out.add(resolve(dirname(file), spec));
        const w = /^@llmrec\/([^/]+)\/(.+)$/.exec(spec);
        if (w) out.add(join(repoRoot, w[1]!, 'src', w[2]!));
      }
    }
  }
  return out;
}

describe('runtime dependencies are declared where they are used', () => {
  it('the import scanner sees value imports, dynamic imports and re-exports, not type-only ones', () => {
    const code = [
      "import { a } from 'pkg-a/sub';",
      "import type { B } from 'pkg-b';",
      "export { c } from '@scope/pkg-c/x.ts';",
      "const d = await import('pkg-d');",
      "import 'pkg-e';",
      "import { f } from './local.ts';",
      "import { g } from 'node:fs';",
    ].join('\n');
    expect(runtimeImports(code).sort()).toEqual(['@scope/pkg-c', 'pkg-a', 'pkg-d', 'pkg-e']);
  });

  for (const ws of WORKSPACES) {
    it(`${ws}/ declares every package its runtime code imports`, () => {
      const pkg = JSON.parse(readFileSync(join(repoRoot, ws, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
      const declared = new Set([pkg.name, ...Object.keys(pkg.dependencies ?? {})]);
      const dev = new Set(Object.keys(pkg.devDependencies ?? {}));
      const runtime = importedByRuntime();
      const missing: string[] = [];
      for (const file of sources(join(repoRoot, ws, 'src'))) {
        for (const name of runtimeImports(readFileSync(file, 'utf8'))) {
          if (declared.has(name) || (dev.has(name) && !runtime.has(file))) continue;
          missing.push(`${file.slice(repoRoot.length + 1)}: ${name}${dev.has(name) ? ' (a devDependency, but runtime code imports this file)' : ''}`);
        }
      }
      expect(missing).toEqual([]);
    });
  }
});

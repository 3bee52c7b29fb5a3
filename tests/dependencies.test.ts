// Every package a workspace's runtime code imports is declared in THAT workspace's package.json dependencies
// (or is a workspace or a Node built-in). The worker image installs with `npm ci --omit=dev`, so a runtime import
// that only resolves through a root devDependency (protobufjs for the LLM path, issue 14.10) or through another
// workspace's hoisted dependency would crash in the image while every test here passes. Type-only imports are
// exempt (erased at run time); test files and test helpers are not runtime code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
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
      const pkg = JSON.parse(readFileSync(join(repoRoot, ws, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
      const declared = new Set([pkg.name, ...Object.keys(pkg.dependencies ?? {})]);
      const missing: string[] = [];
      for (const file of sources(join(repoRoot, ws, 'src'))) {
        for (const name of runtimeImports(readFileSync(file, 'utf8'))) if (!declared.has(name)) missing.push(`${file.slice(repoRoot.length + 1)}: ${name}`);
      }
      expect(missing).toEqual([]);
    });
  }
});

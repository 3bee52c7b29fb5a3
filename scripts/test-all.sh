#!/usr/bin/env bash
# Runs every test: the TypeScript type check (tsc), TypeScript tests (vitest) and Python (pytest), then prints one
# combined closing line (a failed type check counts as one failed test).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=$(mktemp -d)
echo "typecheck: tsc -p tsconfig.json"
if npx tsc -p tsconfig.json; then tsc_rc=0; echo "typecheck: ok"; else tsc_rc=1; echo "typecheck: FAILED"; fi
npx vitest run --reporter=default --reporter=json --outputFile.json="$out/vitest.json"
ts_rc=$?
/usr/bin/python3 -m pytest -q -p no:cacheprovider training/tests training/projectors --junitxml="$out/pytest.xml"
py_rc=$?
[[ $py_rc -eq 5 ]] && py_rc=0   # no Python tests collected is not a failure
node -e '
const fs = require("fs");
const [dir] = process.argv.slice(1);
let p = 0, f = Number(process.argv[2]), s = 0;
try { const j = JSON.parse(fs.readFileSync(dir + "/vitest.json", "utf8")); p += j.numPassedTests; f += j.numFailedTests; s += j.numPendingTests + (j.numTodoTests || 0); } catch { f += 1; }
try { const x = fs.readFileSync(dir + "/pytest.xml", "utf8"); const m = x.match(/<testsuite [^>]*>/)[0];
  const g = (k) => Number((m.match(new RegExp(k + "=\"(\\d+)\"")) || [0, 0])[1]);
  const t = g("tests"), e = g("errors"), fl = g("failures"), sk = g("skipped"); p += t - e - fl - sk; f += e + fl; s += sk; } catch {}
console.log(`all tests: ${p} passed, ${f} failed, ${s} skipped`);
' "$out" "$tsc_rc"
rm -rf "$out"
[[ $tsc_rc -eq 0 && $ts_rc -eq 0 && $py_rc -eq 0 ]]

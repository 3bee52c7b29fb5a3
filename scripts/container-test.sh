#!/usr/bin/env bash
# Builds the worker image (CPU variant, from the locally made base: scripts/container-base.sh) and checks the
# running container: /healthz, /readyz (CPU execution provider, ONNX user encoder), a scoring call with the
# edge<->worker secret (and a 401 without it), that the LLM path's modules resolve under `npm ci --omit=dev`
# (protobufjs), a refusal to start on 0.0.0.0 without a secret, and a clean stop on SIGTERM. Prints the timings.
# Needs podman (or LLMREC_CONTAINER_ENGINE=docker with a pullable base). Exit 0 = every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=${LLMREC_CONTAINER_ENGINE:-podman}
BASE=${LLMREC_BASE_IMAGE:-localhost/llmrec-base}
BUILD_BASE=${LLMREC_BUILD_BASE_IMAGE:-localhost/llmrec-build-base}
IMAGE=${LLMREC_WORKER_IMAGE:-localhost/llmrec-worker:cpu}
NAME=llmrec-worker-test-$$
SECRET=container-test-secret-0123456789
PORT=${LLMREC_CONTAINER_PORT:-$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}
say() { echo "container-test: $*" >&2; }
fail() { say "FAIL: $*"; "$ENGINE" logs "$NAME" 2>&1 | tail -20 >&2 || true; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

command -v "$ENGINE" >/dev/null || { say "no container engine ($ENGINE) on PATH"; exit 2; }
[ "$ENGINE" != podman ] || bash scripts/container-base.sh

bundle=$(mktemp -d)
cleanup() { "$ENGINE" rm -f "$NAME" >/dev/null 2>&1 || true; rm -rf "$bundle"; }
trap cleanup EXIT
npx tsx -e "
import { writeFixtureBundle } from './tests/support/processes.ts';
import { makeFixture } from './tests/support/catalog-fixture.ts';
writeFixtureBundle('$bundle', makeFixture());"
chmod -R a+rX "$bundle"

t0=$(now)
"$ENGINE" build --build-arg BASE="$BASE" --build-arg DEPS_BASE="$BUILD_BASE" --build-arg ORT_INSTALL=skip -t "$IMAGE" . >&2
t_build=$(secs "$t0" "$(now)")
say "built $IMAGE in ${t_build} s ($("$ENGINE" image inspect "$IMAGE" --format '{{.Size}}') bytes)"

# Bound to 0.0.0.0 (the image default) without a secret: must refuse to start, saying why.
if out=$("$ENGINE" run --rm --init -v "$bundle:/artifacts:ro" "$IMAGE" 2>&1); then fail "started without LLMREC_WORKER_SECRET"; fi
echo "$out" | grep -q 'LLMREC_WORKER_SECRET is required' || fail "no secret: unexpected output: $out"
say "refuses to start on 0.0.0.0 without a secret: ok"

t1=$(now)
"$ENGINE" run -d --init --name "$NAME" -p "127.0.0.1:$PORT:8788" -v "$bundle:/artifacts:ro" \
  -e LLMREC_WORKER_SECRET="$SECRET" -e LLMREC_DEVICE=cpu -e LLMREC_STORE=memory "$IMAGE" >/dev/null
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  [ "$("$ENGINE" inspect -f '{{.State.Running}}' "$NAME")" = true ] || fail "container exited"
  sleep 0.2
done
curl -fs "http://127.0.0.1:$PORT/healthz" | grep -q '"ok":true' || fail "/healthz"
t_up=$(secs "$t1" "$(now)")
say "/healthz answered ${t_up} s after podman run"

ready=$(curl -fs "http://127.0.0.1:$PORT/readyz")
echo "$ready" | grep -q '"executionProvider":"cpu"' && echo "$ready" | grep -q '"scorer":"user-encoder-onnx"' || fail "/readyz: $ready"
say "/readyz: $ready"

req='{"version":1,"requestId":"ct-1","k":3,"exclude":[0,3],"prompt":{"version":1,"user":{"id":"u1","anonymous":false},"history":[{"idx":0,"title":"t"},{"idx":3,"title":"t"}],"evidence":[],"candidates":null}}'
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' -d "$req" "http://127.0.0.1:$PORT/v1/score")
[ "$code" = 401 ] || fail "score without the secret answered $code"
t2=$(now)
scored=$(curl -fs -H 'content-type: application/json' -H "x-llmrec-worker-secret: $SECRET" -d "$req" "http://127.0.0.1:$PORT/v1/score")
t_score=$(secs "$t2" "$(now)")
# A real ranking, not just a 200: the fixture's latents put items of the history's cluster (idx % 3 == 0) first,
# the seen items 0 and 3 excluded, scores descending.
echo "$scored" | node -e "const r=JSON.parse(require('fs').readFileSync(0,'utf8'));const ok=r.items.length===3&&r.items.every((i,j)=>i.idx%3===0&&i.idx!==0&&i.idx!==3&&(j===0||i.score<=r.items[j-1].score))&&r.executionProvider==='cpu';process.exit(ok?0:1)" || fail "score: $scored"
say "scoring call: 401 without the secret; with it the top 3 are unseen items of the history's cluster: $(echo "$scored" | node -e "console.log(JSON.parse(require('fs').readFileSync(0,'utf8')).items.map(i=>i.idx).join(','))") (${t_score} s)"

# The LLM path (loadLlmFromEnv's modules: decoder, projectors, service; protobufjs underneath) resolves in the image.
"$ENGINE" exec "$NAME" node --import tsx -e "
await Promise.all(['@llmrec/gpu-worker/llm/model/load-model.ts', '@llmrec/gpu-worker/llm/rank/projectors.ts', '@llmrec/gpu-worker/llm/serve/llm-service.ts'].map((m) => import(m)));
console.log('llm modules ok');" | grep -q 'llm modules ok' || fail "LLM modules do not load in the image"
say "LLM path modules (protobufjs) load under npm ci --omit=dev: ok"

t3=$(now)
"$ENGINE" stop -t 15 "$NAME" >/dev/null
code=$("$ENGINE" inspect -f '{{.State.ExitCode}}' "$NAME")
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
say "SIGTERM: drained and exited 0 in $(secs "$t3" "$(now)") s"
echo "{\"image\":\"$IMAGE\",\"buildSeconds\":$t_build,\"healthySeconds\":$t_up,\"scoreSeconds\":$t_score}"

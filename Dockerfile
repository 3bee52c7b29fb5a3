# GPU worker image (request path, step 4): Node 20 + onnxruntime-node with its CUDA execution provider, on an
# NVIDIA CUDA 12 / cuDNN 9 runtime base. Default command: the worker (`llmrec worker`, gpu-worker/src/from-env.ts),
# which picks CUDA when the GPU is visible (docker run --gpus all) and reports the provider on /readyz.
# Second command: the adapter job — docker run ... llmrec-worker node bin/llmrec.js job
#
# One file, two variants (docs/deploy.md):
#   GPU (default):  docker build -t llmrec-worker .
#   CPU, from a base made locally (machines that cannot pull images; what scripts/container-test.sh builds and runs):
#     scripts/container-base.sh    # debootstrap'd bookworm + Node 20 -> localhost/llmrec-base (+ toolchain: -build-base)
#     podman build --build-arg BASE=localhost/llmrec-base --build-arg DEPS_BASE=localhost/llmrec-build-base \
#       --build-arg ORT_INSTALL=skip -t llmrec-worker:cpu .
# Either way the dependencies come from `npm ci --omit=dev` inside the build: what runs is exactly what the
# workspaces declare as runtime dependencies (tests/dependencies.test.ts checks the declarations).
ARG BASE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04
ARG DEPS_BASE=node:20-bookworm

# --- dependencies (with ORT_INSTALL=cuda12, onnxruntime-node's install script fetches the CUDA 12 EP binaries) ---
FROM ${DEPS_BASE} AS deps
ARG ORT_INSTALL=cuda12
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY data/package.json data/
COPY eval/package.json eval/
COPY edge/package.json edge/
COPY gpu-worker/package.json gpu-worker/
COPY cli/package.json cli/
ENV ONNXRUNTIME_NODE_INSTALL=${ORT_INSTALL}
RUN npm ci --omit=dev --no-audit --no-fund \
 && if [ "$ORT_INSTALL" = cuda12 ]; then test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so; fi

# --- the application on top of its dependencies (workspace node_modules included, wherever npm put them) ---
FROM deps AS app
COPY bin ./bin
COPY shared ./shared
COPY gpu-worker ./gpu-worker
COPY cli ./cli
COPY data ./data
COPY eval ./eval
COPY edge ./edge

# --- runtime ---
FROM ${BASE}
COPY --from=deps /usr/local/bin/node /usr/local/bin/node
RUN useradd --create-home --uid 10001 llmrec
WORKDIR /app
COPY --from=app /app /app
ENV NODE_ENV=production \
    LLMREC_WORKER_HOST=0.0.0.0 \
    LLMREC_WORKER_PORT=8788 \
    LLMREC_DEVICE=auto \
    LLMREC_ARTIFACTS=/artifacts \
    LLMREC_HOME=/home/llmrec/.llmrec
USER llmrec
EXPOSE 8788
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.LLMREC_WORKER_PORT||8788)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# LLMREC_WORKER_SECRET must be given at run time (docker run -e LLMREC_WORKER_SECRET=...): the worker binds 0.0.0.0
# and refuses to start without it. Online adapters: -e LLMREC_STORE=... (docs/deploy.md).
CMD ["node", "bin/llmrec.js", "worker"]

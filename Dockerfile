# GPU worker image (request path, step 4): Node 20 + onnxruntime-node with its CUDA execution provider, on an
# NVIDIA CUDA 12 / cuDNN 9 runtime base. Default command: the worker (`llmrec worker`, gpu-worker/src/from-env.ts), which picks
# CUDA when the GPU is visible (docker run --gpus all) and reports the provider on /readyz.
# Second command: the adapter job — docker run ... llmrec-worker node bin/llmrec.js job
# Build and run: see docs/deploy.md. (Not buildable on the development machines: no Docker engine there.)

# --- dependencies (onnxruntime-node's install script fetches the CUDA 12 EP binaries here, at build time) ---
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY data/package.json data/
COPY eval/package.json eval/
COPY edge/package.json edge/
COPY gpu-worker/package.json gpu-worker/
COPY cli/package.json cli/
ENV ONNXRUNTIME_NODE_INSTALL=cuda12
RUN npm ci --omit=dev --no-audit --no-fund \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so

# --- runtime ---
FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04
COPY --from=deps /usr/local/bin/node /usr/local/bin/node
RUN useradd --create-home --uid 10001 llmrec
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY shared ./shared
COPY gpu-worker ./gpu-worker
COPY cli ./cli
COPY data ./data
COPY eval ./eval
COPY edge ./edge
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
# LLMREC_WORKER_SECRET must be given at run time (docker run -e LLMREC_WORKER_SECRET=...).
CMD ["node", "bin/llmrec.js", "worker"]

// Public surface of the GPU worker: the HTTP app and the server that runs it. The frozen-LLM runtime is
// `@llmrec/gpu-worker/llm/index.ts`; ONNX Runtime is owned by `@llmrec/gpu-worker/onnx/index.ts`.
export { createWorkerApp, type WorkerAppDeps } from './app.ts';
export { startWorker, type RunningWorker } from './server.ts';

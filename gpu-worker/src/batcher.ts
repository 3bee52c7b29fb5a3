// Micro-batching for the worker (part 4): concurrent requests that arrive while a batch is running are
// collected and run together as ONE batched model call (one ONNX run for all their user encodings). No
// artificial wait: an idle worker runs a lone request at once, a busy one amortises the next run.
export class MicroBatcher<In, Out> {
  private queue: { input: In; resolve: (o: Out) => void; reject: (e: unknown) => void; at: number }[] = [];
  private running = false;
  /** Sizes of the batches run so far (for tests and /readyz statistics). */
  readonly stats = { batches: 0, items: 0, maxBatch: 0 };

  constructor(
    private readonly runBatch: (inputs: In[]) => Promise<Out[]>,
    private readonly maxBatch = 64,
  ) {}

  /** Queues one input; resolves with its output and the time it waited in the queue. */
  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject, at: performance.now() });
      if (!this.running) void this.drain();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  get busy(): boolean {
    return this.running;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) {
        // Yield once so requests arriving in the same tick join this batch.
        await new Promise((r) => setImmediate(r));
        const batch = this.queue.splice(0, this.maxBatch);
        this.stats.batches++;
        this.stats.items += batch.length;
        this.stats.maxBatch = Math.max(this.stats.maxBatch, batch.length);
        try {
          const outs = await this.runBatch(batch.map((b) => b.input));
          if (outs.length !== batch.length) throw new Error(`batch returned ${outs.length} results for ${batch.length} inputs`);
          batch.forEach((b, i) => b.resolve(outs[i]!));
        } catch (err) {
          batch.forEach((b) => b.reject(err));
        }
      }
    } finally {
      this.running = false;
    }
  }
}

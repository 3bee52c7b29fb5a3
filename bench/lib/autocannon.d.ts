// autocannon ships no types; the benchmarks use only its promise API.
declare module 'autocannon' {
  const autocannon: (opts: Record<string, unknown>) => Promise<unknown>;
  export default autocannon;
}

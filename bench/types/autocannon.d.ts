/** The slice of autocannon's API the benchmarks use (the package ships no types). */
declare module 'autocannon' {
  interface Histogram { average: number; p50: number; p90: number; p99: number; max: number }
  interface Result { requests: Histogram; latency: Histogram; throughput: Histogram; errors: number; non2xx: number; timeouts: number }
  interface Options { url: string; connections?: number; duration?: number; amount?: number; method?: string; headers?: Record<string, string>; body?: string; pipelining?: number }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}

/** The slice of cli-progress 3.12 the CLI uses (the package ships no types). */
declare module 'cli-progress' {
  interface BarOptions {
    format?: string;
    stream?: NodeJS.WritableStream;
    barCompleteChar?: string;
    barIncompleteChar?: string;
    hideCursor?: boolean;
    clearOnComplete?: boolean;
    stopOnComplete?: boolean;
    fps?: number;
    etaBuffer?: number;
    linewrap?: boolean;
    barsize?: number;
    autopadding?: boolean;
    forceRedraw?: boolean;
  }
  class SingleBar {
    constructor(options: BarOptions, preset?: unknown);
    start(total: number, value: number, payload?: Record<string, unknown>): void;
    update(value: number, payload?: Record<string, unknown>): void;
    update(payload: Record<string, unknown>): void;
    setTotal(total: number): void;
    stop(): void;
  }
  const Presets: { shades_classic: unknown; shades_grey: unknown; rect: unknown; legacy: unknown };
  export default { SingleBar, Presets };
  export { SingleBar, Presets };
}

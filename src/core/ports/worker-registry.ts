/** A worker process as the daemon and `imagefactory workers` see it. */
export interface WorkerInfo {
  id: string;
  hostname: string;
  pid: number;
  /** What it can build: os:<plugin>, target:<name>, provider:<plugin>, import. */
  capabilities: readonly string[];
  /** Builds it runs at once at most. */
  concurrency: number;
  /** Image ids it is building now. */
  currentJobs: readonly string[];
  startedAt: string;
  lastHeartbeat: string;
}

/** Where workers announce themselves (no inbound port: they only write here and read jobs). */
export interface WorkerRegistry {
  register(worker: Omit<WorkerInfo, 'lastHeartbeat' | 'startedAt'>): Promise<void>;
  heartbeat(id: string, currentJobs: readonly string[]): Promise<void>;
  unregister(id: string): Promise<void>;
  /** Workers heard from within `aliveSeconds`, newest first. */
  list(aliveSeconds: number): Promise<WorkerInfo[]>;
}

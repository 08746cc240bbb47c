// A piece of background work that runs every so often in each server process (deadline checks, the daily
// 到龄预警, the expiry of reserved quota): one run at a time, a failed run logged and tried again at the
// next turn, and a stop that waits for the run in progress. Each job makes itself safe to run in several
// processes at once (a row per run, conditional updates); this only paces it.

export interface PeriodicJob {
  stop(): Promise<void>;
}

export interface PeriodicOptions {
  /** what one run does */
  run(): Promise<void>;
  intervalMs: number;
  /** run once right away (default) or only after the first interval */
  runAtStart?: boolean;
  /** a failed run: logged by the caller's logger */
  onError(error: unknown): void;
}

export function startPeriodic(options: PeriodicOptions): PeriodicJob {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const turn = () => {
    running = options
      .run()
      .catch(options.onError)
      .finally(() => {
        if (!stopped) schedule();
      });
  };
  const schedule = () => {
    timer = setTimeout(turn, options.intervalMs);
    timer.unref();
  };
  if (options.runAtStart === false) schedule();
  else turn();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

// Keeps the diagram on the timeline's position: asks the server for the state at that event (its
// replay is the one place for the rule), drops answers overtaken by a newer position, and waits a
// moment while the slider is dragged so a drag asks once, not per pixel.
import type { ReplayState } from './case-data';

export interface ReplayFollowerOptions {
  load(at: number, signal: AbortSignal): Promise<ReplayState>;
  show(state: ReplayState): void;
  onError(error: Error): void;
  debounceMs?: number;
}

export function followReplay({ load, show, onError, debounceMs = 120 }: ReplayFollowerOptions): (at: number, options?: { immediate?: boolean }) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;

  async function fetchAndShow(at: number) {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    try {
      const state = await load(at, controller.signal);
      if (!controller.signal.aborted) show(state);
    } catch (error) {
      if (!controller.signal.aborted) onError(error as Error);
    }
  }

  return (at, options = {}) => {
    clearTimeout(timer);
    if (options.immediate) void fetchAndShow(at);
    else timer = setTimeout(() => void fetchAndShow(at), debounceMs);
  };
}

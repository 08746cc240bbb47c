// A loop that runs one piece of background work every interval, or at once when woken, never twice
// at the same time; stop() waits for the round in progress.
import type { Logger } from '../../core/logger';

export class BackgroundLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private again = false;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.round(), delay);
  }

  private round(): void {
    this.timer = null;
    if (this.running || this.stopped) return;
    this.again = false;
    this.running = this.work()
      .then(() => undefined)
      .catch((err) => this.log.error({ err, loop: this.name }, 'background work failed'))
      .finally(() => {
        this.running = null;
        this.schedule(this.again ? 0 : this.intervalMs);
      });
  }
}

/**
 * Coalesces bursts of changes (a client opening hundreds of files, fast typing) into passes. A pass
 * may be asynchronous (parsing on workers); changes made during it are handled by the next one.
 */
export class DiagnosticsScheduler {
  private pending: NodeJS.Immediate | undefined;
  private running = false;
  private requested = false;
  constructor(private readonly run: () => Promise<void> | void, private readonly onError: (error: unknown) => void) {}

  schedule(): void {
    this.requested = true;
    if (!this.running) this.pending ??= setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.pending = undefined;
    if (this.running) return;
    this.running = true;
    this.requested = false;
    try {
      await this.run();
    } catch (error) {
      this.onError(error);
    } finally {
      this.running = false;
      if (this.requested) this.schedule();
    }
  }

  dispose(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
  }
}

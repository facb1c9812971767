/**
 * Coalesces bursts of changes (a client opening hundreds of files, fast typing) into passes. A pass
 * may be asynchronous (parsing on workers); changes made during it are handled by the next one.
 */
export class DiagnosticsScheduler {
  private pending: NodeJS.Immediate | undefined;
  private running = false;
  private requested = false;
  private readonly dirty = new Set<string>();

  constructor(private readonly run: (dirty: ReadonlySet<string>) => Promise<void> | void, private readonly onError: (error: unknown) => void) {}

  /** `uri` must be published in the next pass even when its diagnostics did not change. */
  schedule(uri?: string): void {
    if (uri) this.dirty.add(uri);
    this.requested = true;
    if (!this.running) this.pending ??= setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.pending = undefined;
    if (this.running) return;
    this.running = true;
    this.requested = false;
    const dirty = new Set(this.dirty);
    this.dirty.clear();
    try {
      await this.run(dirty);
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

/**
 * Coalesces bursts of changes (a client opening hundreds of files, fast typing) into passes, and runs a
 * pass only when the changes have stopped coming: a pass starts after two turns of the event loop in which
 * no change arrived. The JSON-RPC connection hands over one queued message per turn, so a burst of edits
 * that is already queued (typing while a pass ran) is taken in whole, and only the newest version is
 * analysed; versions that went stale in the queue cost nothing. A steady stream of changes still gets a
 * pass at least every `maxDeferMs`. A pass may be asynchronous (parsing on workers); it is told when a
 * change arrives during it (`stale()`), so it can drop its result instead of publishing an old version,
 * and changes made during it are handled by the next one.
 */
export class DiagnosticsScheduler {
  private pending: NodeJS.Immediate | undefined;
  private running = false;
  private requested = false;
  /** Counts change requests; a pass compares it to tell whether it is stale. */
  private generation = 0;
  private seen = -1;
  private quietTurns = 0;
  private firstRequestAt: number | undefined;

  constructor(
    private readonly run: (stale: () => boolean) => Promise<void> | void,
    private readonly onError: (error: unknown) => void,
    private readonly maxDeferMs = 250,
  ) {}

  schedule(): void {
    this.requested = true;
    this.generation++;
    this.firstRequestAt ??= Date.now();
    if (!this.running) this.arm();
  }

  private arm(): void {
    this.pending ??= setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.pending = undefined;
    if (this.running || !this.requested) return;
    if (this.generation !== this.seen) {
      this.seen = this.generation;
      this.quietTurns = 0;
    }
    const overdue = this.firstRequestAt !== undefined && Date.now() - this.firstRequestAt >= this.maxDeferMs;
    if (this.quietTurns++ < 2 && !overdue) {
      this.arm();
      return;
    }
    this.running = true;
    this.requested = false;
    this.firstRequestAt = undefined;
    const started = this.generation;
    const startedAt = Date.now();
    // Stale: changes came in since the pass began, and it is young enough to give way to the next one.
    const stale = () => this.generation !== started && Date.now() - startedAt < this.maxDeferMs * 4;
    try {
      await this.run(stale);
    } catch (error) {
      this.onError(error);
    } finally {
      this.running = false;
      if (this.requested) this.arm();
    }
  }

  dispose(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
  }
}

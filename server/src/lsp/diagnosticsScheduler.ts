/**
 * Coalesces bursts of changes (a client opening hundreds of files, fast typing) into passes, and runs a
 * pass only when the changes have stopped coming: a pass starts after two turns of the event loop in which
 * no change arrived. The JSON-RPC connection hands over one queued message per turn, so a burst of edits
 * that is already queued (typing while a pass ran) is taken in whole, and only the newest version is
 * analysed; versions that went stale in the queue cost nothing. A steady stream of changes still gets a
 * pass at least every `maxDeferMs`. A pass may be asynchronous (parsing on workers); it is told when a
 * change arrives during it (`stale()`), so it can drop its result instead of publishing an old version,
 * and changes made during it are handled by the next one.
 *
 * Changes on disk come in bursts too, but spread over time: a `git checkout` that rewrites hundreds of
 * files reaches the server as several `didChangeWatchedFiles` notifications (the client gathers file events
 * for 250 ms before it sends them). Such a change asks for a quiet time (`schedule(settleMs)`): no pass
 * runs until no change asked for one for `settleMs`, and at most `maxSettleMs` after the first, so the
 * checkout is analysed once, when it is complete, not once per notification.
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
  /** No pass before this time (a burst of changes on disk settling), unless held since `settleStartedAt` for maxSettleMs. */
  private holdUntil = 0;
  private settleStartedAt: number | undefined;
  private holdTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: (stale: () => boolean) => Promise<void> | void,
    private readonly onError: (error: unknown) => void,
    private readonly maxDeferMs = 250,
    private readonly maxSettleMs = 3000,
  ) {}

  /** A change; `settleMs`: wait until changes have stopped for this long (changes on disk). */
  schedule(settleMs = 0): void {
    this.requested = true;
    this.generation++;
    const now = Date.now();
    this.firstRequestAt ??= now;
    if (settleMs > 0) {
      this.settleStartedAt ??= now;
      this.holdUntil = Math.max(this.holdUntil, Math.min(now + settleMs, this.settleStartedAt + this.maxSettleMs));
    }
    if (!this.running) this.arm();
  }

  private arm(): void {
    this.pending ??= setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.pending = undefined;
    if (this.running || !this.requested) return;
    const hold = this.holdUntil - Date.now();
    if (hold > 0) {
      if (this.holdTimer) clearTimeout(this.holdTimer);
      this.holdTimer = setTimeout(() => {
        this.holdTimer = undefined;
        this.arm();
      }, hold);
      return;
    }
    this.settleStartedAt = undefined;
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

  /** Whether changes are waiting for a pass. */
  get waiting(): boolean {
    return this.requested;
  }

  dispose(): void {
    if (this.pending) clearImmediate(this.pending);
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.pending = undefined;
    this.holdTimer = undefined;
  }
}

import type { WorkloadModel } from '../model/manifest';

/**
 * The workloads of a plan's state as phases change them: a `Map` by id, in a Map's order (the sources'
 * order, then what merges created, in the order they were set), kept as the changes made on top of the
 * sources' map, which is shared and never changed. Starting an analysis therefore costs nothing per
 * workload, and a phase costs what it touches.
 *
 * It also knows, within a phase, which workloads were there when the phase began (`atStart`), and which
 * ids went to the end of the order during the phase (`appendedInPhase`).
 */
export class ActiveWorkloads {
  private readonly replaced = new Map<string, WorkloadModel>();
  /** Ids of the sources' map that are gone. */
  private readonly removed = new Set<string>();
  /** Everything else, in the order set (after the sources'). */
  private readonly created = new Map<string, WorkloadModel>();
  private removedThisPhase = new Set<string>();
  private createdThisPhase = new Set<string>();
  private appended = new Map<string, true>();

  constructor(private readonly base: ReadonlyMap<string, WorkloadModel>) {}

  get size(): number {
    return this.base.size - this.removed.size + this.created.size;
  }

  get(id: string): WorkloadModel | undefined {
    return this.created.get(id) ?? (this.removed.has(id) ? undefined : (this.replaced.get(id) ?? this.base.get(id)));
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  set(id: string, workload: WorkloadModel): void {
    if (!this.has(id)) {
      if (!this.removedThisPhase.has(id)) this.createdThisPhase.add(id);
      this.appended.delete(id);
      this.appended.set(id, true);
      // Set again after it was deleted: at the end, as a Map does.
      this.created.delete(id);
      if (this.base.has(id)) this.removed.add(id);
      this.created.set(id, workload);
    } else if (this.created.has(id)) this.created.set(id, workload);
    else this.replaced.set(id, workload);
  }

  delete(id: string): void {
    if (!this.has(id)) return;
    if (this.atStart(id)) this.removedThisPhase.add(id);
    this.appended.delete(id);
    if (this.created.has(id)) this.created.delete(id);
    else this.removed.add(id);
  }

  /** The workloads in order. */
  *values(): IterableIterator<WorkloadModel> {
    for (const [id, workload] of this.base) if (!this.removed.has(id)) yield this.replaced.get(id) ?? workload;
    yield* this.created.values();
  }

  /** Ids that are not the sources' (what merges created), in order. */
  createdIds(): IterableIterator<string> {
    return this.created.keys();
  }

  /** A new phase begins: what is there now is what `atStart` tells. */
  beginPhase(): void {
    this.removedThisPhase = new Set();
    this.createdThisPhase = new Set();
    this.appended = new Map();
  }

  /** Whether the workload was there when the phase began. */
  atStart(id: string): boolean {
    return this.has(id) ? !this.createdThisPhase.has(id) : this.removedThisPhase.has(id);
  }

  /** Ids set during the phase that were not there at that moment: they went to the end of the order. */
  appendedInPhase(): IterableIterator<string> {
    return this.appended.keys();
  }

  isAppendedInPhase(id: string): boolean {
    return this.appended.has(id);
  }
}

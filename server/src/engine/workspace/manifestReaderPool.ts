import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ManifestFile } from '../model/manifest';
import type { ReadManifestOptions } from '../manifests/readManifestFile';
import type { ReadJob } from './manifestWorker';
import { unpackManifest, type PackedManifest } from './manifestTransfer';

interface Pending {
  resolve: (manifest: ManifestFile | undefined) => void;
}

/**
 * Parses manifests on worker threads: YAML parsing is most of a cold start, and it is independent per
 * file. Workers start on first use and are unref'd, so an idle pool never keeps a process alive.
 */
export class ManifestReaderPool {
  private workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private nextWorker = 0;
  private broken = false;

  /** One worker fewer than cores: the calling thread parses too while the workers are busy. */
  constructor(
    private readonly workerFile: string,
    private readonly size = Math.max(1, Math.min(3, os.availableParallelism() - 1)),
  ) {}

  /**
   * Enough queued that the caller had better parse the next file itself. Each worker keeps a few files
   * queued, so it does not run dry while the caller parses one (or collects garbage); no more, so that
   * when the caller runs out of files it waits for at most a few.
   */
  get busy(): boolean {
    return this.pending.size >= Math.max(1, this.workers.length) * QUEUED_PER_WORKER;
  }

  /** The pool beside the running bundle, or undefined when there is none (running from sources). */
  static beside(directory: string): ManifestReaderPool | undefined {
    const file = path.join(directory, 'manifestWorker.js');
    return fs.existsSync(file) ? new ManifestReaderPool(file) : undefined;
  }

  /** Starts the workers and has each read some YAML, so their parsers are optimized before real work. */
  warmUp(text: string): Promise<void> {
    this.start();
    return Promise.all(
      this.workers.map((_, i) => this.readOn(i, '/warm-up.yaml', text, { maxBytes: Number.MAX_SAFE_INTEGER })),
    ).then(() => undefined);
  }

  /** Resolves with the manifest, or undefined when the workers failed (the caller reads it itself). */
  read(file: string, text: string, options: ReadManifestOptions): Promise<ManifestFile | undefined> {
    if (this.broken) return Promise.resolve(undefined);
    this.start();
    return this.readOn(this.nextWorker++ % this.workers.length, file, text, options);
  }

  private readOn(
    index: number,
    file: string,
    text: string,
    options: ReadManifestOptions,
  ): Promise<ManifestFile | undefined> {
    if (this.broken) return Promise.resolve(undefined);
    const id = this.nextId++;
    const worker = this.workers[index];
    return new Promise((resolve) => {
      this.pending.set(id, { resolve });
      worker.ref();
      worker.postMessage({ id, path: file, text, options } satisfies ReadJob);
    });
  }

  /** Starts the workers now (they start on first use otherwise), so they boot while the caller prepares work. */
  start(): void {
    if (this.workers.length > 0) return;
    for (let i = 0; i < this.size; i++) {
      // A parse's garbage is short-lived, and a smaller young generation keeps the worker's heap (and the
      // process's peak RSS) about 20 MB smaller with no measurable cost in parse time.
      const worker = new Worker(this.workerFile, { resourceLimits: { maxYoungGenerationSizeMb: 16 } });
      worker.unref();
      worker.on('message', ({ id, manifest }: { id: number; manifest: PackedManifest }) => {
        this.pending.get(id)?.resolve(unpackManifest(manifest));
        this.pending.delete(id);
        if (this.pending.size === 0) for (const w of this.workers) w.unref();
      });
      worker.on('error', () => this.fail());
      worker.on('exit', () => this.fail());
      this.workers.push(worker);
    }
  }

  private fail(): void {
    if (this.broken) return;
    this.broken = true;
    for (const { resolve } of this.pending.values()) resolve(undefined);
    this.pending.clear();
    void this.dispose();
  }

  async dispose(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const QUEUED_PER_WORKER = 4;

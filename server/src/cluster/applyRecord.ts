import * as fs from 'node:fs';
import * as path from 'node:path';
import { toFileName } from '../engine/files/fileName';
import { describeFsError } from '../engine/files/fsErrors';
import { placeInside } from '../engine/files/writeInside';
import type { RenderRole } from '../engine/render/renderPlan';
import {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  PHASE_ANNOTATION,
  PLAN_ANNOTATION,
  type JsonObject,
  type KubeObject,
} from '../engine/render/kube';
import { describeRef, type ClusterApi, type ObjectRef } from './clusterApi';
import { ClusterError } from './errors';

export const RECORD_API_VERSION = 'consolidation.dev/v1alpha1';
export const RECORD_KIND = 'ApplyRecord';
export const RECORD_DIRECTORY = '.consolidation';
export const RECORD_KEY = 'record.json';
export const RECORD_LABEL = 'consolidation.dev/record';

/** The state of one object before the phase touched it: what rollback restores. Never Secret data. */
export interface RecordedObject {
  ref: ObjectRef;
  role: RenderRole;
  origin: string;
  /** `plan.yaml:21`, where the phase asks for this change. */
  planLocation?: string;
  /** Whether the object existed before the phase (false: this tool created it, and rollback deletes it). */
  existed: boolean;
  /** The uid of the object: before the phase, or the one this tool created. */
  uid?: string;
  resourceVersion?: string;
  replicas?: number;
  /** Resources of the containers the phase resizes, by container name, as they were. */
  containers?: { name: string; resources: JsonObject }[];
  /** A Service's selector and ports, as they were (null: it had no selector). */
  selector?: JsonObject | null;
  ports?: JsonObject[];
  /** The annotations this tool sets, as they were (null: absent). */
  annotations: Record<string, string | null>;
  /** What the apply did to it. */
  state: 'pending' | 'done' | 'failed' | 'unchanged';
}

export type RecordStatus =
  'in-progress' | 'applied' | 'failed' | 'cancelled' | 'rolling-back' | 'rolled-back' | 'rollback-failed';

export interface ApplyRecord {
  apiVersion: typeof RECORD_API_VERSION;
  kind: typeof RECORD_KIND;
  plan: string;
  /** The plan file's name (the record sits beside it). */
  planFile: string;
  phase: string;
  context: string;
  cluster: string;
  server: string;
  /** The namespace holding the record's ConfigMap. */
  namespace: string;
  fieldManager: string;
  status: RecordStatus;
  startedAt: string;
  updatedAt: string;
  objects: RecordedObject[];
  /** What was done, in order. */
  log: { at: string; message: string }[];
}

/** `consolidation-record-<plan>-<phase>`, a valid ConfigMap name. */
export function recordConfigMapName(plan: string, phase: string): string {
  const name = `consolidation-record-${plan}-${phase}`
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return name.length <= 253 ? name : name.slice(0, 253).replace(/[-.]+$/, '');
}

/** `.consolidation/<plan>-<phase>.json` beside the plan file. */
export function recordFilePath(planFile: string, plan: string, phase: string): string {
  return path.join(path.dirname(planFile), RECORD_DIRECTORY, `${toFileName(`${plan}-${phase}`)}.json`);
}

/**
 * Where an apply record lives: a JSON file beside the plan, and the same in a ConfigMap in the
 * cluster, so a rollback works from another machine.
 */
export class RecordStore {
  readonly file: string;
  readonly configMapName: string;

  constructor(
    private readonly api: ClusterApi,
    readonly planFile: string,
    readonly plan: string,
    readonly phase: string,
    readonly namespace: string,
  ) {
    this.file = recordFilePath(planFile, plan, phase);
    this.configMapName = recordConfigMapName(plan, phase);
  }

  get configMapRef(): ObjectRef {
    return { apiVersion: 'v1', kind: 'ConfigMap', namespace: this.namespace, name: this.configMapName };
  }

  describe(): string {
    return `${path.relative(path.dirname(this.planFile), this.file)} and ConfigMap ${this.namespace}/${this.configMapName}`;
  }

  /**
   * How long one write of the ConfigMap copy may take, retries included. After one that failed,
   * the run writes only the file until its last write (`final`), so a hung API server costs at most
   * two of these.
   */
  configMapDeadlineMs = 15_000;
  private configMapFailed = false;

  /**
   * Writes the file (always, first), then the ConfigMap copy. The ConfigMap is server-side applied
   * under our field manager; when another manager has since written its data (`kubectl edit`), it is
   * updated with a merge patch of the record key alone, guarded by resourceVersion, never forced.
   */
  async save(
    record: ApplyRecord,
    options: { signal?: AbortSignal; fileOnly?: boolean; final?: boolean } = {},
  ): Promise<void> {
    record.updatedAt = new Date().toISOString();
    const text = JSON.stringify(record, null, 2) + '\n';
    // Only inside the plan's folder: not through a `.consolidation` link that leads elsewhere.
    const place = placeInside(path.dirname(this.planFile), RECORD_DIRECTORY, path.basename(this.file));
    if (!place.ok) throw new ClusterError('precondition', `The apply record cannot be written: ${place.reason}.`);
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const temporary = `${this.file}.tmp-${process.pid}`;
      fs.writeFileSync(temporary, text);
      fs.renameSync(temporary, this.file);
    } catch (error) {
      throw new ClusterError(
        'precondition',
        `The apply record cannot be written to ${this.file}: ${describeFsError(error)}.`,
      );
    }
    if (options.fileOnly || (this.configMapFailed && !options.final)) return;
    const deadline = AbortSignal.timeout(this.configMapDeadlineMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    try {
      await this.writeConfigMap(record, text, signal);
      this.configMapFailed = false;
    } catch (error) {
      this.configMapFailed = true;
      if (deadline.aborted && !options.signal?.aborted) {
        throw new ClusterError(
          'timeout',
          `The record ConfigMap ${describeRef(this.configMapRef)} could not be written within ${this.configMapDeadlineMs / 1000}s; the record is complete in ${this.file}, and the next apply or rollback brings the ConfigMap up to date.`,
        );
      }
      throw error;
    }
  }

  private async writeConfigMap(record: ApplyRecord, text: string, signal: AbortSignal): Promise<void> {
    const configMap: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: this.configMapName,
        namespace: this.namespace,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [RECORD_LABEL]: 'true' },
        annotations: { [PLAN_ANNOTATION]: record.plan, [PHASE_ANNOTATION]: record.phase },
      },
      data: { [RECORD_KEY]: text },
    };
    try {
      await this.api.serverSideApply(configMap, { signal });
    } catch (error) {
      if (!(error instanceof ClusterError) || error.kind !== 'conflict' || error.conflicts.length === 0) throw error;
      // Another manager owns some of its fields now: write our key only, as that manager did.
      const live = await this.api.get(this.configMapRef, { signal });
      if (!live) throw error;
      await this.api.patch(
        this.configMapRef,
        { data: { [RECORD_KEY]: text } },
        { type: 'merge', resourceVersion: live.metadata.resourceVersion as string, signal },
      );
    }
  }

  /**
   * The record in the cluster, else the file's; undefined when there is none. Whoever owns the
   * ConfigMap's fields, its record is read. The file wins when it continues the same run on the same
   * API server and is newer (the ConfigMap could not be written at the end of that run), and when the
   * ConfigMap's copy is not a record any more.
   */
  async load(
    options: { signal?: AbortSignal } = {},
  ): Promise<{ record: ApplyRecord; from: 'cluster' | 'file' } | undefined> {
    const configMap = await this.api.get(this.configMapRef, options);
    const data = configMap?.data as JsonObject | undefined;
    if (data && typeof data[RECORD_KEY] === 'string') {
      const file = this.loadFileQuietly();
      let record: ApplyRecord;
      try {
        record = parseRecord(data[RECORD_KEY] as string, `ConfigMap ${describeRef(this.configMapRef)}`);
      } catch (error) {
        // Someone broke the ConfigMap's copy: the file beside the plan still has the record.
        if (file) return { record: file, from: 'file' };
        throw error;
      }
      if (
        file &&
        file.server === record.server &&
        file.startedAt === record.startedAt &&
        file.updatedAt > record.updatedAt
      )
        return { record: file, from: 'file' };
      return { record, from: 'cluster' };
    }
    const file = this.loadFile();
    return file && { record: file, from: 'file' };
  }

  private loadFileQuietly(): ApplyRecord | undefined {
    try {
      return this.loadFile();
    } catch {
      return undefined;
    }
  }

  loadFile(): ApplyRecord | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return undefined;
    }
    return parseRecord(text, this.file);
  }
}

export function parseRecord(text: string, where: string): ApplyRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ClusterError(
      'precondition',
      `The apply record in ${where} is not valid JSON: ${(error as Error).message}`,
    );
  }
  const record = value as Partial<ApplyRecord>;
  if (record?.apiVersion !== RECORD_API_VERSION || record.kind !== RECORD_KIND || !Array.isArray(record.objects)) {
    throw new ClusterError(
      'precondition',
      `${where} is not an apply record of this tool (${RECORD_API_VERSION} ${RECORD_KIND}).`,
    );
  }
  return record as ApplyRecord;
}

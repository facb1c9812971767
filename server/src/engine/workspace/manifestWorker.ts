/** Worker thread: reads Kubernetes manifests off the main thread (see manifestReaderPool.ts). */
import { parentPort } from 'node:worker_threads';
import { readManifestFile, type ReadManifestOptions } from '../manifests/readManifestFile';
import { packManifest } from './manifestTransfer';

export interface ReadJob {
  id: number;
  path: string;
  text: string;
  options: ReadManifestOptions;
}

parentPort?.on('message', (job: ReadJob) => {
  parentPort!.postMessage({ id: job.id, manifest: packManifest(readManifestFile(job.path, job.text, job.options)) });
});

import { imageReferenceProblem } from '../manifests/imageReference';
import { valueAt, containersOf, isObject, nameOf } from './kube';
import type { RenderedObject } from './renderPlan';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/**
 * Containers of rendered workloads whose image no runtime can pull: a compose `image:` whose
 * variables are unset (`/web:`), or a compose service that only builds its image. Rendering such a
 * manifest silently would hand the kubelet an object it rejects, so render and Generate refuse.
 */
export function unpullableImages(objects: readonly RenderedObject[]): string[] {
  const problems: string[] = [];
  for (const { object } of objects) {
    // Read only: the rendered objects are what the caller prints.
    const spec = WORKLOAD_KINDS.has(object.kind)
      ? valueAt(
          object,
          object.kind === 'CronJob'
            ? ['spec', 'jobTemplate', 'spec', 'template', 'spec']
            : ['spec', 'template', 'spec'],
        )
      : undefined;
    if (!isObject(spec)) continue;
    for (const container of [...containersOf(spec, 'initContainers'), ...containersOf(spec, 'containers')]) {
      const image = typeof container.image === 'string' ? container.image : '';
      const problem = imageReferenceProblem(image);
      if (!problem) continue;
      const hint =
        image === '' ? ' (a compose service that only builds its image needs an image: naming what to pull)' : '';
      problems.push(
        `${object.kind} ${nameOf(object)}, container ${String(container.name)}: image "${image}" is not a valid image reference: ${problem}${hint}`,
      );
    }
  }
  return [...new Set(problems)];
}

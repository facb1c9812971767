import { closest, distance } from 'fastest-levenshtein';
import type { Document, YAMLMap } from 'yaml';
import type { FieldProblem } from '../model/manifest';
import { keyText, pairsOf, rangeOf } from '../yaml/nodes';

/** core/v1 Container fields (Kubernetes 1.33). */
export const CONTAINER_FIELDS = [
  'name',
  'image',
  'command',
  'args',
  'workingDir',
  'ports',
  'envFrom',
  'env',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'volumeMounts',
  'volumeDevices',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'imagePullPolicy',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
];

/** core/v1 ResourceRequirements fields. */
export const RESOURCE_FIELDS = ['limits', 'requests', 'claims'];

/** core/v1 ContainerPort fields. */
export const PORT_FIELDS = ['containerPort', 'hostPort', 'hostIP', 'name', 'protocol'];

/**
 * Keys the API server would drop (or reject) in a mapping whose fields are known, with a
 * did-you-mean. A misspelt `requets:` silently leaves a container without requests.
 */
export function checkKnownFields(
  doc: Document,
  map: YAMLMap<unknown, unknown>,
  known: readonly string[],
  what: string,
  file: string,
  problems: FieldProblem[],
): void {
  for (const pair of pairsOf(doc, map)) {
    const key = keyText(pair.key);
    if (key === undefined || key === '<<' || known.includes(key)) continue;
    const suggestion = closest(key, known as string[]);
    const near = distance(key.toLowerCase(), suggestion.toLowerCase()) <= Math.max(2, Math.floor(key.length / 4));
    problems.push({
      message: `${what}: unknown field "${key}"${near ? `; did you mean "${suggestion}"?` : '.'} Kubernetes drops or rejects it.`,
      location: { file, range: rangeOf(pair.key as never) ?? { start: 0, end: 0 } },
      replacement: near ? suggestion : undefined,
    });
  }
}

import type { Location } from 'vscode-languageserver-types';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { findAt } from './findAt';
import { toRange } from './positions';
import { pathToUri } from './uris';

/** From a workload reference to where the workload is defined (a merged workload: its merge). */
export function definition(workspace: ConsolidationWorkspace, planFile: string, offset: number): Location[] {
  const result = workspace.plan(planFile);
  const target = result && findAt(result, offset);
  if (!target || target.kind !== 'reference' || !target.workload) return [];
  const { location, nameLocation } = target.workload;
  // A workload of a Kustomize or Helm source: the file it came from, not the rendered output.
  const real = workspace.realLocation(location.file === nameLocation.file ? nameLocation : location);
  return [{ uri: pathToUri(real.file), range: toRange(workspace, real.file, real.range) }];
}

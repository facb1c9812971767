import type { ManifestFile } from '../model/manifest';
import type { Finding } from '../rules/types';
import type { ConsolidationWorkspace } from './consolidationWorkspace';
import { isVirtualSourcePath } from './renderedSources';

export interface DiagnoseRequest {
  plans: string[];
  /** Manifests to check besides the plans' sources. */
  manifests: string[];
  /**
   * How manifests that no plan reads are checked for cross-file findings (a Service selecting
   * nothing): `together` when they are the whole universe (the CLI given a folder), `per-file` when
   * they are whatever happens to be open in an editor.
   */
  orphanScope: 'together' | 'per-file';
}

/**
 * Every finding of a set of plans and manifests, by file, as lists of cached parts: an unchanged
 * file yields the very same arrays, so a caller can tell what changed without comparing contents.
 * `planFiles`, when given, receives every file the plans read as a manifest or put a finding in: the
 * other files' parts are their own, so while the plans' results stay the same objects, a caller may
 * diagnose just the manifests that changed (the language server does, per edit).
 */
export function diagnose(
  workspace: ConsolidationWorkspace,
  request: DiagnoseRequest,
  planFiles?: Set<string>,
): Map<string, Finding[][]> {
  const byFile = new Map<string, Finding[][]>();
  const partsOf = (file: string) => {
    let parts = byFile.get(file);
    if (!parts) byFile.set(file, (parts = []));
    return parts;
  };
  const addByLocation = (findings: Finding[]) => {
    for (const [file, list] of groupByFile(findings)) partsOf(file).push(list);
  };

  const covered = new Set<string>();
  for (const planFile of request.plans) {
    partsOf(planFile);
    const result = workspace.plan(planFile);
    if (!result) continue;
    addByLocation(workspace.mapRenderedFindings(workspace.findings.plan(planFile)));
    for (const manifest of result.manifests) {
      if (isVirtualSourcePath(manifest.path))
        addByLocation(workspace.mapRenderedFindings(workspace.findings.manifest(manifest.path)));
      else if (!covered.has(manifest.path)) partsOf(manifest.path).push(workspace.findings.manifest(manifest.path));
      covered.add(manifest.path);
    }
    addByLocation(workspace.mapRenderedFindings(workspace.findings.planSources(planFile)));
  }
  if (planFiles) for (const file of byFile.keys()) planFiles.add(file);

  const others: ManifestFile[] = [];
  for (const file of request.manifests) {
    if (covered.has(file)) continue;
    const parts = partsOf(file);
    const manifest = workspace.manifest(file);
    // A YAML file that is neither a Kubernetes nor a compose file (a CI workflow, Helm values) is not ours to judge.
    if (!manifest || (manifest.format === 'other' && !looksLikeManifest(workspace.text(file) ?? ''))) continue;
    parts.push(workspace.findings.manifest(file));
    if (request.orphanScope === 'per-file') parts.push(workspace.findings.fileAlone(file));
    else others.push(manifest);
  }
  if (others.length > 0) addByLocation(workspace.findings.manifestSet(others));
  return byFile;
}

const groupings = new WeakMap<Finding[], Map<string, Finding[]>>();

/** Findings grouped by the file they are in; the same input array gives the same groups. */
function groupByFile(findings: Finding[]): Map<string, Finding[]> {
  let grouped = groupings.get(findings);
  if (!grouped) {
    grouped = new Map();
    for (const f of findings) {
      const list = grouped.get(f.location.file);
      if (list) list.push(f);
      else grouped.set(f.location.file, [f]);
    }
    groupings.set(findings, grouped);
  }
  return grouped;
}

/** The findings of a file's parts, without duplicates (a file read by two plans). */
export function flattenParts(parts: Finding[][]): Finding[] {
  if (parts.length === 1) return parts[0];
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const part of parts) {
    for (const f of part) {
      const key = `${f.code}\0${f.location.range.start}\0${f.location.range.end}\0${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f);
    }
  }
  return out;
}

function looksLikeManifest(text: string): boolean {
  return /^(apiVersion|kind|services)\s*:/m.test(text);
}

import type { PlanResult } from '../analysis/planResult';
import type { OwnerInfo } from '../model/owners';
import type { ManifestFile } from '../model/manifest';
import type { PlanRender } from '../render/renderPlan';
import { MANIFEST_RULES, MANIFEST_SET_RULES, PLAN_RULES, runRules, type RuleSettings } from '../rules/registry';
import type { Finding } from '../rules/types';
import { heldBackWhileRendering, isRendering } from './renderedSources';

/** What the findings are computed from: the workspace's models (ConsolidationWorkspace). */
export interface FindingInputs {
  plan(file: string): PlanResult | undefined;
  manifest(file: string): ManifestFile | undefined;
  text(file: string): string | undefined;
  render(file: string): PlanRender | undefined;
  owners(result: PlanResult): Map<string, OwnerInfo>;
  readonly rules: RuleSettings;
}

/**
 * The findings of a workspace's plans and manifests. Each list is cached with the model it comes from
 * (a plan's analysis, a file's model, a source set), so an edit recomputes the findings of what it
 * changed and nothing else; `clear()` drops them all when the rules' settings change.
 */
export class WorkspaceFindings {
  private manifestCache = new WeakMap<ManifestFile, Finding[]>();
  private fileAloneCache = new WeakMap<ManifestFile, Finding[]>();
  private planCache = new WeakMap<PlanResult, Finding[]>();
  /** Cross-file findings by source set and default namespace: they do not depend on the plan's phases. */
  private planSourcesCache = new WeakMap<ManifestFile[], Map<string, Finding[]>>();

  constructor(private readonly workspace: FindingInputs) {}

  clear(): void {
    this.manifestCache = new WeakMap();
    this.fileAloneCache = new WeakMap();
    this.planCache = new WeakMap();
    this.planSourcesCache = new WeakMap();
  }

  /** Findings of a plan file: schema, references and budgets (cached with the plan's analysis). */
  plan(file: string): Finding[] {
    const result = this.workspace.plan(file);
    if (!result) return [];
    let findings = this.planCache.get(result);
    if (!findings) {
      const merges = result.plan.phases.some((p) => p.merge.length > 0)
        ? (this.workspace.render(file)?.merges ?? [])
        : [];
      findings = runRules(
        PLAN_RULES,
        {
          plan: result.plan,
          planText: this.workspace.text(file) ?? '',
          analysis: result.analysis,
          emptySources: result.emptySources,
          sourceProblems: result.sourceProblems,
          workloads: result.workloads,
          merges,
          ...sourceObjects(result.manifests),
          usage: result.usage,
          usageError: result.usageError,
          renderProblems: result.renderProblems,
          owners: this.workspace.owners(result),
        },
        this.workspace.rules,
      );
      if (isRendering(result)) findings = heldBackWhileRendering(findings);
      this.planCache.set(result, findings);
    }
    return findings;
  }

  /** Cross-file findings over a plan's sources, with the plan's default namespace. */
  planSources(file: string): Finding[] {
    const result = this.workspace.plan(file);
    // A source still being rendered for the first time: a Service may select its pods.
    if (!result || isRendering(result)) return [];
    let byNamespace = this.planSourcesCache.get(result.manifests);
    if (!byNamespace) this.planSourcesCache.set(result.manifests, (byNamespace = new Map()));
    const key = result.plan.namespace ?? '\0';
    let findings = byNamespace.get(key);
    if (!findings) {
      findings = this.manifestSet(result.manifests, result.plan.namespace);
      byNamespace.set(key, findings);
    }
    return findings;
  }

  /** Findings of one manifest file on its own (cached with the file's model). */
  manifest(file: string): Finding[] {
    const manifest = this.workspace.manifest(file);
    if (!manifest) return [];
    let findings = this.manifestCache.get(manifest);
    if (!findings) {
      findings = runRules(MANIFEST_RULES, { file: manifest }, this.workspace.rules);
      this.manifestCache.set(manifest, findings);
    }
    return findings;
  }

  /**
   * Cross-file findings of one file checked alone, for a manifest open in an editor that no plan
   * reads: only a file that declares workloads can say its Services select nothing.
   */
  fileAlone(file: string): Finding[] {
    const manifest = this.workspace.manifest(file);
    if (!manifest || manifest.workloads.length === 0) return [];
    let findings = this.fileAloneCache.get(manifest);
    if (!findings) {
      findings = this.manifestSet([manifest]);
      this.fileAloneCache.set(manifest, findings);
    }
    return findings;
  }

  /** Findings over manifests read together (Services and the pods they select). */
  manifestSet(files: ManifestFile[], defaultNamespace?: string): Finding[] {
    return runRules(
      MANIFEST_SET_RULES,
      {
        files,
        workloads: files.flatMap((f) => f.workloads),
        services: files.flatMap((f) => f.services),
        defaultNamespace,
      },
      this.workspace.rules,
    );
  }
}

/** The claims, LimitRanges, quotas and policies of a plan's sources (read once per source set, not per plan edit). */
function sourceObjects(manifests: ManifestFile[]): {
  claims: ManifestFile['claims'];
  limitRanges: ManifestFile['limitRanges'];
  quotas: NonNullable<ManifestFile['quotas']>;
  policies: ManifestFile['policies'];
} {
  let objects = sourceObjectCache.get(manifests);
  if (!objects) {
    objects = {
      claims: manifests.flatMap((m) => m.claims),
      limitRanges: manifests.flatMap((m) => m.limitRanges),
      quotas: manifests.flatMap((m) => m.quotas ?? []),
      policies: manifests.flatMap((m) => m.policies),
    };
    sourceObjectCache.set(manifests, objects);
  }
  return objects;
}

const sourceObjectCache = new WeakMap<ManifestFile[], ReturnType<typeof sourceObjects>>();

import type { ManifestContext, ManifestSetContext, PlanContext } from './contexts';
import type { Finding, Rule, Severity, SeveritySetting } from './types';
import { duplicatePort } from './manifest/duplicatePort';
import { invalidQuantity } from './manifest/invalidQuantity';
import { missingResources } from './manifest/missingResources';
import { requestExceedsLimit } from './manifest/requestExceedsLimit';
import { selectorMismatch } from './manifest/selectorMismatch';
import { serviceSelectsNothing } from './manifest/serviceSelectsNothing';
import { tooLarge } from './manifest/tooLarge';
import { invalidField } from './manifest/invalidField';
import { yamlSyntax } from './manifest/yamlSyntax';
import { composeVariable } from './manifest/composeVariable';
import { invalidImage } from './manifest/invalidImage';
import { alreadyGone } from './plan/alreadyGone';
import { ambiguousWorkload } from './plan/ambiguousWorkload';
import { duplicateReference } from './plan/duplicateReference';
import { samePhaseReference } from './plan/samePhaseReference';
import { notScalable } from './plan/notScalable';
import { planSchema } from './plan/schema';
import { sourceEmpty } from './plan/sourceEmpty';
import { sourceOutsideWorkspace } from './plan/sourceOutsideWorkspace';
import { sourcesTooLarge } from './plan/sourcesTooLarge';
import { sourceRender } from './plan/sourceRender';
import { ownedByController } from './plan/ownedByController';
import { unknownContainer } from './plan/unknownContainer';
import { unknownWorkload } from './plan/unknownWorkload';
import { limitsOvercommit } from './budget/limitsOvercommit';
import { missingRequests } from './budget/missingRequests';
import { podsExceeded } from './budget/podsExceeded';
import { requestsExceeded } from './budget/requestsExceeded';
import { targetMissed } from './budget/targetMissed';
import { unschedulable } from './budget/unschedulable';
import { placementSensitive } from './budget/placementSensitive';
import { nodeLoss } from './budget/nodeLoss';
import { quotaExceeded } from './budget/quotaExceeded';
import { hpaMaxExceeds } from './budget/hpaMaxExceeds';
import { hpaOrphaned } from './merge/hpaOrphaned';
import { pdbBlocksEviction } from './merge/pdbBlocksEviction';
import { kindMismatch } from './merge/kindMismatch';
import { nameConflict } from './merge/nameConflict';
import { namespaceMismatch } from './merge/namespaceMismatch';
import { noSavings } from './merge/noSavings';
import { podSpecConflict } from './merge/podSpecConflict';
import { portConflict } from './merge/portConflict';
import { portUnmapped } from './merge/portUnmapped';
import { rwoVolumeReplicated } from './merge/rwoVolumeReplicated';
import { volumeDropped } from './merge/volumeDropped';
import { serviceAccountConflict } from './merge/serviceAccountConflict';
import { singletonReplicated } from './merge/singletonReplicated';
import { stateReplicated } from './merge/stateReplicated';
import { snapshotInvalid } from './usage/snapshotInvalid';
import { snapshotStale } from './usage/snapshotStale';
import { noData } from './usage/noData';
import { requestBelowUsage } from './usage/requestBelowUsage';
import { requestAboveUsage } from './usage/requestAboveUsage';
import { usageTargetMissed } from './usage/targetMissed';

/** Checks of one manifest file on its own. */
export const MANIFEST_RULES: readonly Rule<ManifestContext>[] = [
  yamlSyntax,
  tooLarge,
  invalidQuantity,
  requestExceedsLimit,
  selectorMismatch,
  duplicatePort,
  invalidField,
  composeVariable,
  invalidImage,
];

/** Checks of manifests read together. */
export const MANIFEST_SET_RULES: readonly Rule<ManifestSetContext>[] = [serviceSelectsNothing, missingResources];

export const PLAN_RULES: readonly Rule<PlanContext>[] = [
  planSchema,
  sourceEmpty,
  sourceOutsideWorkspace,
  sourcesTooLarge,
  sourceRender,
  ownedByController,
  unknownWorkload,
  ambiguousWorkload,
  duplicateReference,
  samePhaseReference,
  alreadyGone,
  notScalable,
  unknownContainer,
  requestsExceeded,
  limitsOvercommit,
  podsExceeded,
  unschedulable,
  placementSensitive,
  nodeLoss,
  quotaExceeded,
  hpaMaxExceeds,
  targetMissed,
  missingRequests,
  portConflict,
  kindMismatch,
  namespaceMismatch,
  serviceAccountConflict,
  podSpecConflict,
  singletonReplicated,
  rwoVolumeReplicated,
  volumeDropped,
  hpaOrphaned,
  pdbBlocksEviction,
  portUnmapped,
  nameConflict,
  noSavings,
  stateReplicated,
  snapshotInvalid,
  snapshotStale,
  noData,
  requestBelowUsage,
  requestAboveUsage,
  usageTargetMissed,
];

export const ALL_RULES: readonly Rule<never>[] = [
  ...MANIFEST_RULES,
  ...MANIFEST_SET_RULES,
  ...PLAN_RULES,
] as Rule<never>[];

/** User-set severities by code (`off` turns a rule off). */
export type RuleSettings = Readonly<Record<string, SeveritySetting>>;

export function isKnownCode(code: string): boolean {
  return ALL_RULES.some((rule) => rule.code === code);
}

export function runRules<Context>(
  rules: readonly Rule<Context>[],
  context: Context,
  settings: RuleSettings = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    const setting = settings[rule.code];
    if (setting === 'off') continue;
    rule.check(context, (finding) => {
      const severity: Severity = setting ?? finding.severity ?? rule.defaultSeverity;
      findings.push({ ...finding, code: rule.code, severity });
    });
  }
  return findings;
}

import type { ReferenceFact } from '../../budget/states';
import type { SourceLocation } from '../../model/location';
import { asChange, removeListItem, removeMapEntry, replaceListItem, setMergeKey } from '../../plan/planEdits';
import type { MergeSpec, PhaseSpec } from '../../plan/types';
import type { PlanContext } from '../contexts';
import type { EditAction, Rule } from '../types';

/**
 * The order inside a phase: every reference names a workload as it stands at the start of the phase, so a
 * workload a merge of the same phase creates cannot be merged again, scaled, resized or removed in that phase.
 */
export const samePhaseReference: Rule<PlanContext> = {
  code: 'plan/same-phase-reference',
  defaultSeverity: 'error',
  where: 'plan: the reference',
  description:
    'A phase refers to a workload that a merge of the same phase creates; references name workloads as they stand at the start of the phase.',
  check({ analysis, plan, planText }, addFinding) {
    for (const fact of analysis.references) {
      if (fact.resolution.status !== 'same-phase') continue;
      const created = fact.resolution.merge;
      const phase = plan.phases.find((p) => p.name === fact.phase);
      const inMerge = phase?.merge.find((m) =>
        m.from.some((r) => r.location.range.start === fact.ref.location.range.start),
      );
      const actions = phase ? fixes(planText, phase, fact, created, inMerge) : [];
      addFinding({
        message: `Phase ${fact.phase}: ${fact.ref.text} is created by merge ${created.name} in this same phase, and every reference in a phase names a workload as it stands at the start of the phase. ${advice(fact, created, inMerge)}`,
        location: fact.ref.location,
        related: [{ location: created.nameLocation, message: `merge ${created.name}` }],
        data: actions.length ? { fix: 'edits', actions } : undefined,
      });
    }
  },
};

function advice(fact: ReferenceFact, created: MergeSpec, inMerge: MergeSpec | undefined): string {
  const sources = created.from.map((r) => r.text);
  const later = `or use ${created.name} in a later phase.`;
  switch (fact.role) {
    case 'merge':
      if (inMerge === created)
        return `A merge cannot take the workload it creates: name the workloads it merges in \`from\`.`;
      return `Merge its sources directly (from: [${directSources(fact, created, inMerge).join(', ')}]), ${later}`;
    case 'scale':
      return `Set \`replicas\` on merge ${created.name}, ${later}`;
    case 'resize':
      return `Resize its sources (${sources.join(', ')}) in this phase, before they are merged, ${later}`;
    case 'remove':
      return `Leave the merge out of this phase, ${later}`;
  }
}

/** A block mapping's range runs on to the next item's indentation: the item itself ends at its last character. */
function trimmed(text: string, location: SourceLocation): SourceLocation {
  const { start, end } = location.range;
  return { ...location, range: { start, end: start + text.slice(start, end).trimEnd().length } };
}

/** The `from` of `inMerge` with the reference to `created` replaced by what `created` merges, in place. */
function directSources(fact: ReferenceFact, created: MergeSpec, inMerge: MergeSpec | undefined): string[] {
  const sources = created.from.map((r) => r.text);
  if (!inMerge) return sources;
  return inMerge.from.flatMap((r) => (r.location.range.start === fact.ref.location.range.start ? sources : [r.text]));
}

function fixes(
  text: string,
  phase: PhaseSpec,
  fact: ReferenceFact,
  created: MergeSpec,
  inMerge: MergeSpec | undefined,
): EditAction[] {
  if (
    fact.role === 'merge' &&
    inMerge &&
    inMerge !== created &&
    created.strategy === 'pod' &&
    created.from.length > 0
  ) {
    // `{name: abc, from: [ab, c]}` with `{name: ab, from: [a, b]}`: abc takes a and b, and merge ab goes.
    const sources = created.from.map((r) => r.text);
    return [
      {
        title: `Merge ${sources.join(', ')} directly into ${inMerge.name} (and drop merge ${created.name})`,
        changes: [
          asChange(replaceListItem(text, fact.ref, sources)),
          asChange(removeListItem(text, { text: created.name, location: trimmed(text, created.location) })),
        ],
      },
    ];
  }
  if (fact.role === 'scale') {
    const step = phase.scale.find((s) => s.ref.location.range.start === fact.ref.location.range.start);
    if (!step) return [];
    const replicas = String(step.replicas);
    const set = created.replicasLocation
      ? { ...created.replicasLocation.range, newText: replicas }
      : asChange(setMergeKey(text, created, 'replicas', replicas));
    return [
      {
        title: `Set replicas: ${replicas} on merge ${created.name}`,
        changes: [
          set,
          asChange(removeMapEntry(text, step.ref.location.range, step.location.range, phase.scale.length === 1)),
        ],
      },
    ];
  }
  return [];
}

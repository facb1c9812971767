import type { MergeCode } from '../../render/mergeChecks';
import type { PlanContext } from '../contexts';
import type { Rule, Severity } from '../types';

/** A merge rule reports the facts of its code that rendering the plan found. */
export function mergeRule(code: MergeCode, defaultSeverity: Severity, description: string, where: string): Rule<PlanContext> {
  return {
    code,
    defaultSeverity,
    description,
    where,
    check({ mergeFacts }, report) {
      for (const fact of mergeFacts) {
        if (fact.code === code) report({ message: fact.message, location: fact.location, related: fact.related, data: fact.data });
      }
    },
  };
}

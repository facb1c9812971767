import type { RenderRole } from './renderPlan';

/** What applying a phase does to a rendered object of each role, worded once for the CLI, the editor and messages. */
const ROLE_TEXT: Record<RenderRole, { verb: string; after?: string; thirdPerson: string }> = {
  created: { verb: 'create', thirdPerson: 'creates' },
  service: { verb: 're-point', thirdPerson: 're-points' },
  'scaled-down': { verb: 'scale', after: ' to 0', thirdPerson: 'scales down' },
  changed: { verb: 'change', thirdPerson: 'changes' },
};

/** The step as an instruction: "create Deployment shop/api", "scale Deployment shop/web to 0". */
export function roleAction(role: RenderRole, subject: string): string {
  const text = ROLE_TEXT[role];
  return `${text.verb} ${subject}${text.after ?? ''}`;
}

/** What a phase does to an object of this role, for a sentence about the phase: "re-points", "scales down". */
export function roleVerb(role: RenderRole): string {
  return ROLE_TEXT[role].thirdPerson;
}

/**
 * Every command id of the extension, defined once. The extension registers a handler for each
 * (client/src/commands.ts, `createCommands()`); package.json's `contributes.commands` lists the
 * ones a user can run (test/client/commands.test.ts keeps the three in step). The server sends
 * some of them in code lenses and code actions, so the ids live here, shared by both sides.
 */
export const COMMANDS = {
  showReport: 'consolidation.showReport',
  showBudget: 'consolidation.showBudget',
  generateMergedManifests: 'consolidation.generateMergedManifests',
  restartServer: 'consolidation.restartServer',
  previewPhase: 'consolidation.previewPhase',
  applyPhase: 'consolidation.applyPhase',
  rollbackPhase: 'consolidation.rollbackPhase',
  importClusterState: 'consolidation.importClusterState',
  selectContext: 'consolidation.selectContext',
  recordUsage: 'consolidation.recordUsage',
  verifyPhase: 'consolidation.verifyPhase',
  /** Server → client (in a code action's command): opens a file the action wrote. Not in the palette. */
  openFile: 'consolidation.openFile',
} as const;

export type CommandName = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandName];

/** Commands run by the extension itself or by the server's answers, not listed in package.json. */
export const INTERNAL_COMMANDS: readonly CommandId[] = [COMMANDS.openFile];

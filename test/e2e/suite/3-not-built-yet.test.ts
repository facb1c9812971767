// Placeholders for behaviour that is not built yet. They are skipped (reported as skipped, never as
// passed); turn each into a real test when its feature lands.
describe('not built yet', () => {
  it.skip('Generate Merged Manifests writes generated/merge-backend/backend.yaml — skipped: merge generation not built yet');
  it.skip('Preview Phase shows the diff of phase merge-backend — skipped: merge generation not built yet');
  it.skip('Apply Phase applies merge-backend to a cluster — skipped: merge generation not built yet');
  it.skip('Roll Back Phase restores the workloads merge-backend replaced — skipped: merge generation not built yet');
  it.skip(
    'untrusted workspace: plans are checked, cluster commands are disabled — skipped: needs a run with workspace trust on (startCodeServer({workspaceTrust: true})), not wired yet',
  );
});

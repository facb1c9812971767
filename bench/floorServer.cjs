// The harness's own floor: a language server on vscode-languageserver (as ours) that does nothing but
// answer each open or change with no diagnostics. What it takes to reach "all diagnostics" is what the
// harness and the protocol cost; no server can be faster under this harness (bench/run.mjs's `floor`).
const { createConnection, ProposedFeatures, TextDocumentSyncKind } = require('vscode-languageserver/node');

const connection = createConnection(ProposedFeatures.all);
connection.onInitialize(() => ({
  capabilities: { textDocumentSync: TextDocumentSyncKind.Full, codeActionProvider: true },
}));
const answer = ({ textDocument }) =>
  void connection.sendDiagnostics({ uri: textDocument.uri, version: textDocument.version, diagnostics: [] });
connection.onDidOpenTextDocument(answer);
connection.onDidChangeTextDocument(answer);
connection.onCodeAction(() => []);
connection.listen();

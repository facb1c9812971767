import { createConnection, ProposedFeatures, type MessageReader } from 'vscode-languageserver/node';
import { CoalescingMessageWriter, consoleToClient } from './coalescingWriter';
import { startServer } from './server';

// The transport (stdio, IPC or a socket) comes from the command line, as vscode-languageserver reads it. On
// stdio the messages of one turn are written together (coalescingWriter.ts). stdin is given as a stream (the
// library reads it, and exits when it ends, as with `--stdio`); the typings only list a reader beside a writer.
const stdio = process.argv.includes('--stdio');
const connection = stdio
  ? createConnection(
      ProposedFeatures.all,
      process.stdin as unknown as MessageReader,
      new CoalescingMessageWriter(process.stdout),
    )
  : createConnection(ProposedFeatures.all);
if (stdio) consoleToClient(connection.console);

// The server must survive anything a user can type: report, don't die.
process.on('uncaughtException', (error) => connection.console.error(`uncaught: ${error.stack ?? error}`));
process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${String(reason)}`));

startServer(connection);

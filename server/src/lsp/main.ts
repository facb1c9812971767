import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

// The transport (stdio, IPC or a socket) comes from the command line, as vscode-languageserver reads it.
const connection = createConnection(ProposedFeatures.all);

// The server must survive anything a user can type: report, don't die.
process.on('uncaughtException', (error) => connection.console.error(`uncaught: ${error.stack ?? error}`));
process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${String(reason)}`));

startServer(connection);

// A minimal LSP client over stdio (vscode-jsonrpc) for driving dist/server.js in robustness tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; code?: string | number; message: string; data?: unknown; source?: string; severity?: number }[];
}

export class RequestTimeout extends Error {}

export class LspSession {
  readonly published: PublishedDiagnostics[] = [];
  readonly logs: { type: number; message: string; at: number }[] = [];
  readonly responseErrors: string[] = [];
  stderr = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly proc: ChildProcess,
    readonly connection: MessageConnection,
  ) {}

  static start(serverFile: string, cwd: string): LspSession {
    const proc = spawn(process.execPath, [serverFile, '--stdio'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const session = new LspSession(proc, connection);
    proc.stderr!.on('data', (chunk: Buffer) => {
      if (session.stderr.length < 100_000) session.stderr += chunk.toString('utf8');
    });
    proc.on('exit', (code, signal) => {
      session.exit = { code, signal };
      session.wake();
    });
    // Writes to a dead server must not crash the test process.
    proc.stdin!.on('error', () => undefined);
    connection.onError(() => undefined);
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishedDiagnostics) => {
      session.published.push(params);
      session.wake();
    });
    connection.onNotification('window/logMessage', (params: { type: number; message: string }) => {
      session.logs.push({ ...params, at: Date.now() });
      session.wake();
    });
    connection.onNotification('window/showMessage', (params: { type: number; message: string }) => {
      session.logs.push({ ...params, at: Date.now() });
      session.wake();
    });
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.listen();
    return session;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** A request answered with a result or a JSON-RPC error; a RequestTimeout when it is not answered in time. */
  async request<R>(method: string, params: unknown, timeoutMs: number): Promise<{ result?: R; error?: string }> {
    if (this.exit) throw new Error(`server exited (${JSON.stringify(this.exit)}) before ${method}; stderr:\n${this.stderr.slice(-4000)}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RequestTimeout(`${method} not answered within ${timeoutMs} ms; params ${JSON.stringify(params).slice(0, 400)}`)), timeoutMs);
    });
    try {
      const result = await Promise.race([this.connection.sendRequest<R>(method, params), timeout]);
      return { result };
    } catch (error) {
      if (error instanceof RequestTimeout) throw error;
      if (this.exit) throw new Error(`server exited (${JSON.stringify(this.exit)}) during ${method}; stderr:\n${this.stderr.slice(-4000)}`, { cause: error });
      const message = `${method}: ${(error as Error).message}`;
      this.responseErrors.push(message);
      return { error: message };
    } finally {
      clearTimeout(timer);
    }
  }

  notify(method: string, params: unknown): void {
    if (!this.exit) void this.connection.sendNotification(method, params).catch(() => undefined);
  }

  /**
   * Resolves once `condition` holds; rejects with `what` after the timeout, when the server exits, or as soon as
   * `abort` gives a reason (checked on every message and every 250 ms).
   */
  waitFor(condition: () => boolean, timeoutMs: number, what: () => string, abort: () => string | undefined = () => undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const reason = condition() ? undefined : abort();
        if (condition()) finish(resolve);
        else if (this.exit) finish(() => reject(new Error(`server exited (${JSON.stringify(this.exit)}) while waiting for ${what()}; stderr:\n${this.stderr.slice(-4000)}`)));
        else if (reason) finish(() => reject(new Error(`gave up waiting for ${what()}: ${reason}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new RequestTimeout(`timed out after ${timeoutMs} ms waiting for ${what()}`))), timeoutMs);
      const poll = setInterval(check, 250);
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(check);
        fn();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** shutdown, exit, and the process's exit code. */
  async shutdown(timeoutMs: number): Promise<number | null> {
    await this.request('shutdown', null, timeoutMs);
    this.notify('exit', null);
    await this.waitFor(() => this.exit !== undefined, timeoutMs, () => 'the server to exit after shutdown/exit').catch(() => undefined);
    return this.exit ? this.exit.code : null;
  }

  kill(): void {
    this.connection.dispose();
    if (!this.exit && this.proc.pid !== undefined) this.proc.kill('SIGKILL');
  }
}

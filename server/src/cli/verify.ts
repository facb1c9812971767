import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterError, redact } from '../cluster/errors';
import { connect } from '../cluster/kubeClusterApi';
import { loadPhase, PlanError } from '../cluster/phasePlan';
import { formatVerifyText, verifyPhase, type VerifyResult } from '../cluster/verifyPhase';
import type { ClusterCliIo } from './apply';
import { UsageError } from './usageError';
import { parseUsageDuration } from '../engine/quantity/duration';

/** `consolidate verify PLAN --phase NAME`: the live cluster against the plan's state after the phase. */
export async function verify(args: string[], io: ClusterCliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      phase: { type: 'string' },
      context: { type: 'string' },
      kubeconfig: { type: 'string' },
      format: { type: 'string', default: 'text' },
      prometheus: { type: 'string' },
      window: { type: 'string', default: '1d' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('verify takes exactly one plan file');
  const format = values.format as string;
  if (!['text', 'json'].includes(format)) throw new UsageError(`--format must be text or json, not "${format}"`);
  const planPath = path.resolve(io.cwd, positionals[0]);
  const windowMs = parseUsageDuration(values.window as string);
  if (windowMs === undefined)
    throw new UsageError(`--window takes a duration such as 1d, 12h or 1w, not "${values.window}"`);
  const prometheus = values.prometheus ? { url: values.prometheus as string, windowMs } : undefined;
  let loaded;
  try {
    loaded = loadPhase(planPath, values.phase as string | undefined);
  } catch (error) {
    if (error instanceof PlanError)
      throw new UsageError(values.phase ? error.message : `verify needs --phase NAME (${error.message})`);
    throw error;
  }
  let result: VerifyResult;
  try {
    const api = await connect({
      context: values.context as string | undefined,
      kubeconfig: values.kubeconfig as string | undefined,
      env: io.env,
      ...io.connect,
    });
    result = await verifyPhase({ api, loaded, signal: io.signal, prometheus });
  } catch (error) {
    if (error instanceof ClusterError) {
      io.err.write(`consolidate verify: ${redact(error.message)}\n`);
      return 1;
    }
    throw error;
  }
  if (format === 'json') io.out.write(JSON.stringify(result, null, 2) + '\n');
  else io.out.write(formatVerifyText(result));
  return result.passed ? 0 : 1;
}

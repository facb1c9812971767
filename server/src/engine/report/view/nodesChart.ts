// The node picture from the scheduling simulation in the report JSON: each node's used and free
// CPU and memory, its pods, and the unschedulable pods in a column of their own.
import type { NodeReport, PlanReport, StateReport } from '../report';
import { stateName } from './figures';
import { el, esc, px } from './svg';
import { columnUnit, type ColumnUnit } from './units';

const COLUMN = 180;
const UNSCHEDULABLE_COLUMN = 360;
const BAR_HEIGHT = 140;
/** Below the state's heading and each node's name and pod count. */
const TOP = 60;

/** Pod names the simulation may list per node (`pods: [{workload, count}]` or `["api#1", ...]`), when it gives them. */
export function nodePods(node: NodeReport): string[] {
  const pods = node.pods;
  if (!Array.isArray(pods)) return [];
  return pods.map((p) => (typeof p === 'string' ? p : p && typeof p === 'object' && 'workload' in p ? `${String((p as { workload: unknown }).workload)}${'count' in p && Number((p as { count: unknown }).count) > 1 ? ` ×${(p as { count: number }).count}` : ''}` : String(p)));
}

function used(node: NodeReport, resource: string): number {
  return (node.allocatable[resource] ?? 0) - (node.free[resource] ?? 0);
}

function nodeSentence(node: NodeReport, cpu: ColumnUnit, memory: ColumnUnit): string {
  const pods = nodePods(node);
  return (
    `${node.node}: ${node.podCapacity - node.freePods} pods of ${node.podCapacity}; ` +
    `CPU ${cpu.format(used(node, 'cpu'))} used, ${cpu.format(node.free.cpu ?? 0)} free of ${cpu.format(node.allocatable.cpu ?? 0)}; ` +
    `memory ${memory.format(used(node, 'memory'))} used, ${memory.format(node.free.memory ?? 0)} free of ${memory.format(node.allocatable.memory ?? 0)}` +
    (pods.length ? `; pods ${pods.join(', ')}` : '')
  );
}

/** One state's nodes as an SVG, or an empty string when the state was not scheduled (no budget.nodes). */
export function renderNodes(report: PlanReport, index: number): string {
  const state: StateReport = report.states[index];
  const schedule = state.schedule;
  if (!schedule) return '';
  const all = schedule.nodes;
  const cpu = columnUnit('cpu', []);
  const memory = columnUnit('memory', all.flatMap((n) => [n.allocatable.memory ?? 0, n.free.memory ?? 0, used(n, 'memory')]).concat(schedule.unschedulable.map((u) => u.requests.memory ?? 0)));
  const listed = Math.max(0, ...all.map((n) => nodePods(n).length));
  const height = Math.max(TOP + BAR_HEIGHT + 56 + listed * 16, TOP + 8 + schedule.unschedulable.length * 16);
  const width = all.length * COLUMN + UNSCHEDULABLE_COLUMN;
  const bar = (nodeX: number, resource: string, offset: number, node: NodeReport) => {
    const capacity = node.allocatable[resource] ?? 0;
    const amount = used(node, resource);
    const h = capacity > 0 ? (Math.min(amount, capacity) / capacity) * BAR_HEIGHT : 0;
    return [
      el('rect', { class: 'capacity', x: nodeX + offset, y: TOP, width: 40, height: BAR_HEIGHT }),
      el('rect', { class: 'bar used', x: nodeX + offset, y: px(TOP + BAR_HEIGHT - h), width: 40, height: px(h), 'data-resource': resource, 'data-value': amount }),
      el('text', { class: 'axis-label', x: nodeX + offset + 20, y: TOP + BAR_HEIGHT + 14, 'text-anchor': 'middle' }, resource === 'cpu' ? 'CPU' : 'mem'),
    ].join('');
  };
  const columns = all.map((node, i) => {
    const x = i * COLUMN;
    const sentence = nodeSentence(node, cpu, memory);
    const pods = nodePods(node);
    return el(
      'g',
      { class: 'node', tabindex: 0, role: 'listitem', 'aria-label': sentence, 'data-node': node.node, 'data-free-pods': node.freePods },
      el('title', {}, esc(sentence)),
      el('text', { class: 'heading', x, y: 40 }, esc(node.node)),
      el('text', { class: 'label', x, y: 54 }, esc(`${node.podCapacity - node.freePods} of ${node.podCapacity} pods`)),
      bar(x, 'cpu', 10, node),
      bar(x, 'memory', 70, node),
      el('text', { class: 'label', x, y: TOP + BAR_HEIGHT + 32 }, esc(`free ${cpu.format(node.free.cpu ?? 0)} CPU`)),
      el('text', { class: 'label', x, y: TOP + BAR_HEIGHT + 48 }, esc(`free ${memory.format(node.free.memory ?? 0)}`)),
      ...pods.map((p, j) => el('text', { class: 'pod', x, y: TOP + BAR_HEIGHT + 66 + j * 16 }, esc(p))),
    );
  });
  const ux = all.length * COLUMN;
  const unschedulableSentence = schedule.unschedulable.length
    ? `Unschedulable: ${schedule.unschedulable.map((u) => `${u.count} pod${u.count === 1 ? '' : 's'} of ${u.workload} (first ${u.name}), each ${cpu.format(u.requests.cpu ?? 0)} CPU and ${memory.format(u.requests.memory ?? 0)}`).join('; ')}`
    : 'Unschedulable: none, every pod fits';
  const unschedulable = el(
    'g',
    { class: 'node unschedulable', tabindex: 0, role: 'listitem', 'aria-label': unschedulableSentence, 'data-unschedulable': state.unschedulable ?? 0 },
    el('title', {}, esc(unschedulableSentence)),
    el('text', { class: 'heading missed', x: ux, y: 40 }, 'Unschedulable'),
    el('text', { class: 'label', x: ux, y: 54 }, esc(`${state.unschedulable ?? 0} pods`)),
    ...schedule.unschedulable.map((u, j) => el('text', { class: 'pod missed', x: ux, y: TOP + 16 + j * 16 }, esc(`${u.workload} ×${u.count} (${cpu.format(u.requests.cpu ?? 0)}, ${memory.format(u.requests.memory ?? 0)})`))),
  );
  const title = `Nodes ${stateName(state)}: ${all.length} nodes, ${state.unschedulable ?? 0} unschedulable pods`;
  return el(
    'svg',
    { class: 'chart nodes', role: 'list', 'aria-label': title, viewBox: `0 0 ${width} ${height}`, width, height, 'data-state': stateName(state) },
    el('title', {}, esc(title)),
    el('text', { class: 'heading state', x: 0, y: 16 }, esc(stateName(state))),
    ...columns,
    unschedulable,
  );
}

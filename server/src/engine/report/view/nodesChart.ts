// The node picture from the scheduling simulation in the report JSON: each node's used and free
// CPU and memory, its pods, and the unschedulable pods in a column of their own. Each pod line
// carries its workload's location, so a click (or Enter) reveals the workload's line.
import type { NodePodsReport, NodeReport, PlanReport, ReportLocation, StateReport } from '../report';
import { stateName } from './figures';
import { el, esc, px } from './svg';
import { columnUnit, type ColumnUnit } from './units';

const COLUMN = 200;
const UNSCHEDULABLE_COLUMN = 360;
const BAR_HEIGHT = 140;
/** Below the state's heading and each node's name and pod count. */
const TOP = 60;

/** A row of a node's pod list: `api#1`, `api ×3 (#1–#2, #4)`, `agent (DaemonSet)`. */
export function podText(pods: Pick<NodePodsReport, 'workload' | 'count' | 'names' | 'daemon'>): string {
  if (pods.daemon) return `${pods.workload} (DaemonSet)`;
  if (pods.count === 1) return pods.names[0] ?? pods.workload;
  return `${pods.workload} ×${pods.count} (${ordinalRanges(pods.names).join(', ')})`;
}

/** `#1–#3, #5` from `api#1 api#2 api#3 api#5`. */
function ordinalRanges(names: string[]): string[] {
  const ordinals = names.map((n) => Number(n.slice(n.lastIndexOf('#') + 1)));
  const ranges: string[] = [];
  for (let i = 0; i < ordinals.length;) {
    let j = i;
    while (j + 1 < ordinals.length && ordinals[j + 1] === ordinals[j] + 1) j++;
    ranges.push(j === i ? `#${ordinals[i]}` : `#${ordinals[i]}–#${ordinals[j]}`);
    i = j + 1;
  }
  return ranges;
}

function podSentence(
  pods: Pick<NodePodsReport, 'workload' | 'count' | 'names' | 'requests'>,
  cpu: ColumnUnit,
  memory: ColumnUnit,
  where: string,
): string {
  return `${pods.names.join(', ')}: ${pods.count} pod${pods.count === 1 ? '' : 's'} of ${pods.workload} ${where}, each ${cpu.format(pods.requests.cpu ?? 0)} CPU and ${memory.format(pods.requests.memory ?? 0)}`;
}

function locationAttributes(location: ReportLocation | null | undefined): Record<string, string | number | undefined> {
  return location ? { 'data-file': location.file, 'data-line': location.line } : {};
}

/** One pod line of a column: focusable, labelled, and (with a location) revealing its workload. */
function podItem(
  pods:
    | NodePodsReport
    | (Pick<NodePodsReport, 'workload' | 'count' | 'names' | 'requests' | 'location'> & { daemon?: true }),
  text: string,
  sentence: string,
  x: number,
  y: number,
  extra: Record<string, string | number | undefined>,
  missed = false,
  width = COLUMN - 8,
): string {
  return el(
    'g',
    {
      class: `pod${missed ? ' missed' : ''}`,
      tabindex: 0,
      role: 'listitem',
      'aria-label': sentence,
      'data-workload': pods.workload,
      'data-count': pods.count,
      'data-names': pods.names.join(' '),
      'data-cpu': pods.requests.cpu ?? 0,
      'data-memory': pods.requests.memory ?? 0,
      ...extra,
      ...locationAttributes(pods.location),
    },
    el('title', {}, esc(sentence)),
    el('rect', { class: 'hit', x, y: px(y - 12), width, height: 16, fill: 'transparent' }),
    el('text', { class: `pod-name${missed ? ' missed' : ''}`, x, y: px(y) }, esc(text)),
  );
}

/** The names of an unschedulable entry's pods: the first one's, then the ordinals after it (a DaemonSet's: the first only). */
function unplacedNames(u: { name: string; count: number }): string[] {
  const hash = u.name.lastIndexOf('#');
  if (hash < 0) return [u.name];
  const first = Number(u.name.slice(hash + 1));
  return Array.from({ length: u.count }, (_, k) => `${u.name.slice(0, hash)}#${first + k}`);
}

function used(node: NodeReport, resource: string): number {
  return (node.allocatable[resource] ?? 0) - (node.free[resource] ?? 0);
}

function nodeSentence(node: NodeReport, cpu: ColumnUnit, memory: ColumnUnit): string {
  const pods = (node.pods ?? []).map(podText);
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
  const memory = columnUnit(
    'memory',
    all
      .flatMap((n) => [
        n.allocatable.memory ?? 0,
        n.free.memory ?? 0,
        used(n, 'memory'),
        ...(n.pods ?? []).map((p) => p.requests.memory ?? 0),
      ])
      .concat(schedule.unschedulable.map((u) => u.requests.memory ?? 0)),
  );
  const listed = Math.max(0, ...all.map((n) => (n.pods ?? []).length));
  const height = Math.max(TOP + BAR_HEIGHT + 72 + listed * 16, TOP + 8 + schedule.unschedulable.length * 16);
  const width = all.length * COLUMN + UNSCHEDULABLE_COLUMN;
  const bar = (nodeX: number, resource: string, offset: number, node: NodeReport) => {
    const capacity = node.allocatable[resource] ?? 0;
    const amount = used(node, resource);
    const h = capacity > 0 ? (Math.min(amount, capacity) / capacity) * BAR_HEIGHT : 0;
    return [
      el('rect', { class: 'capacity', x: nodeX + offset, y: TOP, width: 40, height: BAR_HEIGHT }),
      el('rect', {
        class: 'bar used',
        x: nodeX + offset,
        y: px(TOP + BAR_HEIGHT - h),
        width: 40,
        height: px(h),
        'data-resource': resource,
        'data-value': amount,
      }),
      el(
        'text',
        { class: 'axis-label', x: nodeX + offset + 20, y: TOP + BAR_HEIGHT + 14, 'text-anchor': 'middle' },
        resource === 'cpu' ? 'CPU' : 'mem',
      ),
    ].join('');
  };
  const columns = all.map((node, i) => {
    const x = i * COLUMN;
    const sentence = nodeSentence(node, cpu, memory);
    const pods = node.pods ?? [];
    return el(
      'g',
      {
        class: 'node',
        tabindex: 0,
        role: 'listitem',
        'aria-label': sentence,
        'data-node': node.node,
        'data-free-pods': node.freePods,
        'data-free-cpu': node.free.cpu ?? 0,
        'data-free-memory': node.free.memory ?? 0,
      },
      el('title', {}, esc(sentence)),
      el('text', { class: 'heading', x, y: 40 }, esc(node.node)),
      el('text', { class: 'label', x, y: 54 }, esc(`${node.podCapacity - node.freePods} of ${node.podCapacity} pods`)),
      bar(x, 'cpu', 10, node),
      bar(x, 'memory', 70, node),
      el('text', { class: 'label', x, y: TOP + BAR_HEIGHT + 32 }, esc(`free ${cpu.format(node.free.cpu ?? 0)} CPU`)),
      el('text', { class: 'label', x, y: TOP + BAR_HEIGHT + 48 }, esc(`free ${memory.format(node.free.memory ?? 0)}`)),
      pods.length ? el('text', { class: 'axis-label', x, y: TOP + BAR_HEIGHT + 66 }, 'pods') : '',
      ...pods.map((p, j) =>
        podItem(p, podText(p), podSentence(p, cpu, memory, `on ${node.node}`), x, TOP + BAR_HEIGHT + 82 + j * 16, {
          'data-node': node.node,
        }),
      ),
    );
  });
  const ux = all.length * COLUMN;
  const unschedulableSentence = schedule.unschedulable.length
    ? `Unschedulable: ${schedule.unschedulable.map((u) => `${u.count} pod${u.count === 1 ? '' : 's'} of ${u.workload} (first ${u.name}), each ${cpu.format(u.requests.cpu ?? 0)} CPU and ${memory.format(u.requests.memory ?? 0)}`).join('; ')}`
    : 'Unschedulable: none, every pod fits';
  const unschedulable = el(
    'g',
    {
      class: 'node unschedulable',
      tabindex: 0,
      role: 'listitem',
      'aria-label': unschedulableSentence,
      'data-unschedulable': state.unschedulable ?? 0,
    },
    el('title', {}, esc(unschedulableSentence)),
    el('text', { class: 'heading missed', x: ux, y: 40 }, 'Unschedulable'),
    el('text', { class: 'label', x: ux, y: 54 }, esc(`${state.unschedulable ?? 0} pods`)),
    ...schedule.unschedulable.map((u, j) => {
      const pods = {
        workload: u.workload,
        count: u.count,
        names: unplacedNames(u),
        requests: u.requests,
        location: u.location,
      };
      const text = `${u.count === 1 || pods.names.length < u.count ? u.name : podText(pods)} (${cpu.format(u.requests.cpu ?? 0)}, ${memory.format(u.requests.memory ?? 0)})`;
      return podItem(
        pods,
        text,
        podSentence(pods, cpu, memory, 'fit on no node'),
        ux,
        TOP + 16 + j * 16,
        { 'data-unschedulable-pods': u.count },
        true,
        UNSCHEDULABLE_COLUMN - 8,
      );
    }),
  );
  const title = `Nodes ${stateName(state)}: ${all.length} nodes, ${state.unschedulable ?? 0} unschedulable pods`;
  return el(
    'svg',
    {
      class: 'chart nodes',
      role: 'list',
      'aria-label': title,
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      'data-state': stateName(state),
    },
    el('title', {}, esc(title)),
    el('text', { class: 'heading state', x: 0, y: 16 }, esc(stateName(state))),
    ...columns,
    unschedulable,
  );
}

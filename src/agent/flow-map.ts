import { toDirectedGraph, type DirectedGraphNode } from '@xstate/graph';
import type { AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { guideMachine } from '../../dialogs/machine';

/**
 * The statechart as a Mermaid `stateDiagram-v2`, generated from the machine's directed graph
 * (@xstate/graph's public `toDirectedGraph`: a node per state, an edge per event transition; the
 * eventless `always` transitions are the state node's own public list), so the map agents see
 * (and docs/flow.mmd) cannot drift from the flow the bot runs.
 *
 * The diagram is flat: Mermaid cannot draw a transition between states inside two different
 * composite states (product key → known error does that), so each branch is a colour class
 * instead of a box. Transitions that hold at every step are drawn once, from `anyStep`.
 */

/**
 * One line of the diagram, with what it is about, as dotted state paths (which are also the step
 * ids), so the console can mark the current step: `state` on a state's own line, `from`/`to` on a
 * transition's.
 */
export interface FlowMapLine {
  text: string;
  state?: string;
  from?: string;
  to?: string;
}

export interface FlowMap {
  lines: FlowMapLine[];
  text: string;
  /** Every state of the machine (dotted paths, root excluded), in document order. */
  states: string[];
}

type FlowNode = DirectedGraphNode;
type FlowTransition = AnyTransitionDefinition;

/** Gives a state a readable name (the English step name); returns undefined for none. */
export type StateLabel = (path: string, node: { compound: boolean }) => string | undefined;

const ANY_STEP = 'anyStep';
/** More eventless transitions than this behind one guard are drawn as a single edge to `anyStep`. */
const COLLAPSE_AFTER = 3;

const mermaidId = (node: AnyStateNode) => node.path.join('_');
const dotted = (node: AnyStateNode) => node.path.join('.');

/** Mermaid reads `;` as a statement break and `#…;` as an entity; neither belongs in a label. */
const clean = (text: string) => text.replace(/[;#{}"\n\r]/g, ' ').replace(/\s+/g, ' ').trim();

function guardName(guard: unknown): string | undefined {
  if (!guard) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type;
  return 'guarded';
}

function actionName(action: unknown): string | undefined {
  if (typeof action === 'string') return action;
  if (!action || typeof action !== 'object') return undefined;
  const { type, params } = action as { type?: unknown; params?: unknown };
  if (typeof type !== 'string') return undefined;
  if (params && typeof params === 'object') {
    const values = Object.values(params).filter((v) => ['string', 'number', 'boolean'].includes(typeof v));
    if (values.length > 0) return `${type}(${values.join(', ')})`;
  }
  return type;
}

function edgeLabel(event: string, transition: FlowTransition): string {
  const guard = guardName(transition.guard);
  // `say` only adds a notice to the reply; it does not change where the conversation goes.
  const actions = (transition.actions ?? []).map(actionName).filter((a): a is string => Boolean(a) && a !== 'say');
  return clean([event, guard && `[${guard}]`, actions.length > 0 && `/ ${actions.join(', ')}`].filter(Boolean).join(' '));
}

/** A transition into a branch enters the branch's first step: draw it to that step. */
function entered(node: AnyStateNode): AnyStateNode {
  const first = node.type === 'compound' ? node.initial.target[0] : undefined;
  return first ? entered(first) : node;
}

function walk(node: FlowNode): FlowNode[] {
  return node.children.flatMap((child) => [child, ...walk(child)]);
}

/** An edge's transition, and whether it goes anywhere (a targetless one is drawn to its own state by the graph). */
const targetOf = (t: FlowTransition): AnyStateNode | undefined => t.target?.[0];

export function buildFlowMap(label: StateLabel = () => undefined, graph: FlowNode = toDirectedGraph(guideMachine)): FlowMap {
  const lines: FlowMapLine[] = [];
  const add = (text: string, about: Omit<FlowMapLine, 'text'> = {}) => lines.push({ text, ...about });
  const nodes = walk(graph);
  const root = graph.stateNode;

  add(`%% Generated from the "${root.id}" statechart (dialogs/machine.ts) by \`npm run flow:mermaid\`. Do not edit by hand.`);
  add('stateDiagram-v2');
  const start = root.initial.target[0];
  if (start) add(`  [*] --> ${mermaidId(entered(start))}`, { to: dotted(entered(start)) });

  // The patterns every step shares: the root's own transitions.
  add('');
  add(`  %% ${root.id}: transitions that hold at every step`);
  add(`  ${ANY_STEP} : any step`);
  const stayPut: string[] = [];
  for (const { label: event, transition: t } of graph.edges) {
    const target = targetOf(t);
    if (target) {
      const to = entered(target);
      add(`  ${ANY_STEP} --> ${mermaidId(to)} : ${edgeLabel(event.text, t)}`, { to: dotted(to) });
    } else if (!stayPut.includes(event.text)) {
      stayPut.push(event.text);
    }
  }
  if (stayPut.length > 0) add(`  note right of ${ANY_STEP} : ${clean(`${stayPut.join(', ')} answer on the same step`)}`);

  const branches = nodes.filter((n) => n.stateNode.type === 'compound');
  for (const node of graph.children) {
    add('');
    if (node.stateNode.type === 'compound') {
      const name = label(dotted(node.stateNode), { compound: true });
      const first = entered(node.stateNode);
      add(`  %% ${dotted(node.stateNode)}${name ? ` (${clean(name)})` : ''}: starts at ${mermaidId(first)}`);
      for (const child of walk(node).filter((n) => n.stateNode.type !== 'compound')) describe(child);
      continue;
    }
    describe(node);
  }

  function describe(node: FlowNode): void {
    const state = node.stateNode;
    const name = label(dotted(state), { compound: false });
    const self = dotted(state);
    add(`  ${mermaidId(state)} : ${clean(name ? `${self} · ${name}` : self)}`, { state: self });
    for (const { label: event, transition: t } of node.edges) {
      const target = targetOf(t);
      const to = target ? entered(target) : state;
      add(`  ${mermaidId(state)} --> ${mermaidId(to)} : ${edgeLabel(event.text, t)}`, { from: self, to: dotted(to) });
    }
    describeAlways(state);
  }

  function describeAlways(node: AnyStateNode): void {
    const always = node.always ?? [];
    const byGuard = new Map<string, FlowTransition[]>();
    for (const t of always) {
      const guard = guardName(t.guard) ?? '';
      byGuard.set(guard, [...(byGuard.get(guard) ?? []), t]);
    }
    for (const [guard, transitions] of byGuard) {
      if (guard && transitions.length > COLLAPSE_AFTER) {
        add(`  ${mermaidId(node)} --> ${ANY_STEP} : ${clean(`[${guard}] × ${transitions.length}`)}`, { from: dotted(node) });
        continue;
      }
      for (const t of transitions) {
        const target = targetOf(t);
        const to = target ? entered(target) : node;
        add(`  ${mermaidId(node)} --> ${mermaidId(to)} : ${clean(guard ? `[${guard}]` : 'always')}`, { from: dotted(node), to: dotted(to) });
      }
    }
  }

  // One colour per branch, so the flat diagram still shows which steps belong together.
  add('');
  const palette = ['#e3f2fd,stroke:#1565c0', '#fff3e0,stroke:#ef6c00', '#e8f5e9,stroke:#2e7d32', '#f3e5f5,stroke:#6a1b9a'];
  branches.forEach((branch, i) => {
    const members = walk(branch).filter((n) => n.stateNode.type !== 'compound');
    add(`  classDef ${mermaidId(branch.stateNode)} fill:${palette[i % palette.length]}`);
    add(`  class ${members.map((n) => mermaidId(n.stateNode)).join(',')} ${mermaidId(branch.stateNode)}`);
  });
  add(`  classDef pattern fill:#f5f5f5,stroke:#757575,stroke-dasharray:4 3`);
  add(`  class ${ANY_STEP} pattern`);

  const text = `${lines.map((l) => l.text).join('\n')}\n`;
  return { lines, text, states: nodes.map((n) => dotted(n.stateNode)) };
}

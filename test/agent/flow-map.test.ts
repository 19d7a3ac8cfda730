import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getStateNodes } from '@xstate/graph';
import { guideMachine } from '../../dialogs/machine';
import { flowMapFor } from '../../src/agent/desk';
import { createStrings } from '../../src/i18n/strings';
import { ROOT_DIR } from '../../src/paths';

// Every state node, from @xstate/graph's public API (the root is the machine itself, not a step).
const allStates = getStateNodes(guideMachine).filter((node) => node.path.length > 0);
const map = flowMapFor(createStrings());

describe('flow map (Mermaid)', () => {
  it('is a Mermaid state diagram', () => {
    const lines = map.text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('%%'));
    expect(lines[0]).toBe('stateDiagram-v2');
  });

  it('lists every state of the machine', () => {
    expect(allStates.length).toBeGreaterThan(20);
    expect(map.states.sort()).toEqual(allStates.map((n) => n.path.join('.')).sort());
    for (const node of allStates) {
      const mermaidId = node.path.join('_');
      const dotted = node.path.join('.');
      if (node.type === 'compound') {
        // A branch is a colour class over its steps, and named in a comment.
        expect(map.text).toContain(`classDef ${mermaidId} `);
        expect(map.text).toContain(`%% ${dotted} `);
      } else {
        expect(map.text).toMatch(new RegExp(`^  ${mermaidId} : ${dotted.replace(/\./g, '\\.')}( ·|$)`, 'm'));
      }
    }
    expect(map.text).toContain(`"${guideMachine.id}" statechart`);
  });

  it('draws every transition of a step, e.g. "Reactivate is not offered" escalates', () => {
    expect(map.text).toContain('  reactivate_billing --> escalated : NO / escalate(no-reactivate)');
    expect(map.text).toContain('  reactivate_billing --> reactivate_payment : YES');
    expect(map.text).toContain('  start --> reactivate_reason : REACTIVATE');
    expect(map.text).toContain('  anyStep --> escalated : AGENT / escalate(user-asked)');
  });

  it('marks which line belongs to which step, for the console', () => {
    const own = map.lines.filter((l) => l.state === 'reactivate.billing');
    expect(own).toHaveLength(1);
    expect(map.lines.filter((l) => l.from === 'reactivate.billing').map((l) => l.to)).toEqual(['reactivate.payment', 'escalated']);
  });

  it('docs/flow.mmd is up to date (run `npm run flow:mermaid` after changing the flow)', () => {
    expect(readFileSync(join(ROOT_DIR, 'docs', 'flow.mmd'), 'utf8')).toBe(map.text);
  });

  it('docs/flow.svg draws every step of the current flow (run `npm run flow:mermaid` after changing it)', () => {
    const svg = readFileSync(join(ROOT_DIR, 'docs', 'flow.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    const drawn = new Set([...svg.matchAll(/id="flow-state-(.+?)-\d+"/g)].map((m) => m[1]));
    const steps = allStates.filter((n) => n.type !== 'compound').map((n) => n.path.join('_'));
    expect(steps.filter((id) => !drawn.has(id))).toEqual([]);
    // Labels are SVG text, not HTML in foreignObject, so image viewers (the README) show them.
    expect(svg).not.toContain('<foreignObject');
  });
});

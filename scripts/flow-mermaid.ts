/**
 * `npm run flow:mermaid`: writes the dialog statechart as Mermaid to docs/flow.mmd. The text comes
 * from the machine itself (src/agent/flow-map.ts), the same text the agent console shows, so the
 * picture cannot drift from the flow; a test fails when this file is out of date.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { flowMapFor } from '../src/agent/desk';
import { createStrings } from '../src/i18n/strings';
import { ROOT_DIR } from '../src/paths';

export const FLOW_FILE = join(ROOT_DIR, 'docs', 'flow.mmd');

if (require.main === module) {
  const map = flowMapFor(createStrings());
  mkdirSync(dirname(FLOW_FILE), { recursive: true });
  writeFileSync(FLOW_FILE, map.text);
  process.stdout.write(`wrote ${relative(process.cwd(), FLOW_FILE)}: ${map.states.length} states\n`);
}

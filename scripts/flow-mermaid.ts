/**
 * `npm run flow:mermaid`: writes the dialog statechart as Mermaid to docs/flow.mmd, and the same
 * diagram drawn by Mermaid to docs/flow.svg for the README. The text comes from the machine itself
 * (src/agent/flow-map.ts), the same text the agent console shows and draws, so the picture cannot
 * drift from the flow; a test fails when either file is out of date.
 *
 * Mermaid measures text in a browser, so the SVG is drawn in the headless Chromium the tests use
 * (Debian's chromium, driven by playwright-core). Without it, only flow.mmd is written.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { flowMapFor } from '../src/agent/desk';
import { mermaidBundlePath } from '../src/agent/mermaid-asset';
import { createStrings } from '../src/i18n/strings';
import { ROOT_DIR } from '../src/paths';

export const FLOW_FILE = join(ROOT_DIR, 'docs', 'flow.mmd');
export const FLOW_SVG_FILE = join(ROOT_DIR, 'docs', 'flow.svg');
const CHROMIUM = '/usr/bin/chromium';

/** Draws Mermaid text as a stand-alone SVG: plain SVG text labels, so image viewers show them too. */
export async function drawMermaid(text: string): Promise<string> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.setContent('<!DOCTYPE html><html><body></body></html>');
    await page.addScriptTag({ path: mermaidBundlePath() });
    return await page.evaluate(async (source) => {
      const mermaid = (window as unknown as { mermaid: { initialize(c: unknown): void; render(id: string, text: string): Promise<{ svg: string }> } }).mermaid;
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', htmlLabels: false, fontFamily: 'DejaVu Sans, Verdana, Arial, sans-serif' });
      const { svg } = await mermaid.render('flow', source);
      // A fixed size instead of width="100%", so a viewer shows it at its own scale.
      const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
      const root = doc.documentElement;
      const box = root.getAttribute('viewBox')!.split(/\s+/).map(Number);
      root.setAttribute('width', String(Math.ceil(box[2])));
      root.setAttribute('height', String(Math.ceil(box[3])));
      root.removeAttribute('style');
      return new XMLSerializer().serializeToString(root);
    }, text);
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const map = flowMapFor(createStrings());
  mkdirSync(dirname(FLOW_FILE), { recursive: true });
  writeFileSync(FLOW_FILE, map.text);
  process.stdout.write(`wrote ${relative(process.cwd(), FLOW_FILE)}: ${map.states.length} states\n`);
  if (!existsSync(CHROMIUM)) {
    process.stdout.write(`skipped ${relative(process.cwd(), FLOW_SVG_FILE)}: drawing it needs ${CHROMIUM} (apt-get install chromium)\n`);
    return;
  }
  writeFileSync(FLOW_SVG_FILE, `${await drawMermaid(map.text)}\n`);
  process.stdout.write(`wrote ${relative(process.cwd(), FLOW_SVG_FILE)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`flow:mermaid: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

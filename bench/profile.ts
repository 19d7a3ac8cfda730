/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --profile DIR`): where the bot's CPU time
 * goes, by package or source folder, and the top functions by self and by total time.
 *
 *   node -r ts-node/register/transpile-only bench/profile.ts DIR/file-123.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<package>, src/<folder>, dialogs, node:<internal>, or the special V8 entries. */
function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const own = /\/(?:dist\/)?(src\/[^/]+|dialogs|bench)\//.exec(url);
  if (own) return own[1];
  return url.replace(/^.*\//, '');
}

function keyOf(frame: CallFrame): string {
  const file = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/(dist\/)?(?=src\/|dialogs\/|bench\/)/, '');
  return `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 25;
  if (!file) throw new Error('usage: bench/profile.ts PROFILE.cpuprofile [--top N]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  let total = 0;
  let idle = 0;
  const area = new Map<string, number>();
  const fnSelf = new Map<string, number>();
  const fnTotal = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const a = areaOf(node.callFrame);
    area.set(a, (area.get(a) ?? 0) + us);
    const k = keyOf(node.callFrame);
    fnSelf.set(k, (fnSelf.get(k) ?? 0) + us);
    // Total time: credit every distinct function on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur);
      if (!f) break;
      const fk = keyOf(f.callFrame);
      if (seen.has(fk)) continue;
      seen.add(fk);
      fnTotal.set(fk, (fnTotal.get(fk) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
  const out: string[] = [];
  out.push(`${file}: ${ms(total)} ms sampled, ${ms(busy)} ms busy (${((busy / total) * 100).toFixed(0)}%), percentages of busy time`);
  out.push('', 'By area (self time):');
  for (const [k, v] of [...area].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`${ms(v)} ms ${pct(v)}  ${k}`);
  out.push('', 'Functions by self time:');
  for (const [k, v] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`${ms(v)} ms ${pct(v)}  ${k}`);
  out.push('', 'Functions by total time (self + callees):');
  for (const [k, v] of [...fnTotal].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`${ms(v)} ms ${pct(v)}  ${k}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main();

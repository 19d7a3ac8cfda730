/**
 * Known-error lookup for support agents and scripts.
 *
 *   npm run --silent match -- "<pasted text>"              one JSON line: id, outcome, score, alternatives
 *   npm run --silent match -- --locale nl-NL "<pasted text>"  ... plus title and fix of `id` in that language
 *                                                         (the best guess when the outcome is ambiguous)
 *   some-command | npm run --silent match -- -              read the paste from stdin
 *
 * Exit codes: 0 = answered (whatever the outcome), 2 = usage error, 1 = the knowledge base is broken.
 * The paste is never printed back: a product key in it is reported as `"productKey": true` only. The
 * rest of the paste is still matched, so a key pasted with its error message names that error.
 */
import fs from 'node:fs';
import type { Locale, MatchResult } from '../../dialogs/types';
import { loadLanguages } from '../i18n/languages';
import { createErrorMatcher, loadKnowledgeBase, localisedEntry, type ErrorMatcher } from '../understanding/known-errors';
import { containsProductKey } from '../understanding/product-key';

const LOCALES = loadLanguages().tags;
const USAGE = `usage: npm run --silent match -- [--locale ${LOCALES.join('|')}] "<pasted text>"   (use - to read stdin)`;

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  readStdin: () => string;
}

export type CliOutput = MatchResult & { productKey?: true; title?: string | null; fix?: string[] };

class UsageError extends Error {}

function parseArgs(argv: string[]): { locale?: Locale; text?: string; help: boolean } {
  let locale: Locale | undefined;
  const words: string[] = [];
  let help = false;
  let onlyText = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyText) words.push(arg);
    else if (arg === '--') onlyText = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--locale' || arg.startsWith('--locale=')) {
      const value = arg === '--locale' ? argv[++i] : arg.slice('--locale='.length);
      if (!value || !(LOCALES as readonly string[]).includes(value)) {
        throw new UsageError(`--locale needs one of ${LOCALES.join(', ')}${value ? ` (got "${value}")` : ''}`);
      }
      locale = value as Locale;
    } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else words.push(arg);
  }
  return { locale, text: words.length > 0 ? words.join(' ') : undefined, help };
}

/** Runs the CLI and returns its exit code. `matcher` is injectable so tests need no disk reads. */
export function runCli(argv: string[], io: CliIo, matcher?: ErrorMatcher): number {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.stderr(`match: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stderr(USAGE);
    return 0;
  }
  const text = args.text === '-' ? io.readStdin() : args.text;
  if (text === undefined || text.trim() === '') {
    io.stderr(`match: no text given: pass the pasted error message as an argument.\n${USAGE}`);
    return 2;
  }

  let m: ErrorMatcher;
  try {
    m = matcher ?? createErrorMatcher(loadKnowledgeBase());
  } catch (err) {
    io.stderr(`match: the knowledge base could not be loaded: ${(err as Error).message}`);
    return 1;
  }

  // The matcher drops keys itself; the flag tells the caller to answer with the key format.
  const result = m.match(text);
  const out: CliOutput = { ...result };
  if (containsProductKey(text)) out.productKey = true;
  if (args.locale) {
    const entry = result.id === null ? undefined : m.entry(result.id);
    const localised = entry ? localisedEntry(entry, args.locale) : undefined;
    out.title = localised?.title ?? null;
    out.fix = localised?.fix ?? [];
  }
  io.stdout(JSON.stringify(out));
  return 0;
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    readStdin: () => fs.readFileSync(0, 'utf8'),
  });
}

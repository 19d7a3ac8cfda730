import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runCli, type CliOutput } from '../../src/cli/match';
import { createErrorMatcher, loadKnowledgeBase } from '../../src/understanding/known-errors';
import { loadLanguages } from '../../src/i18n/languages';

const matcher = createErrorMatcher(loadKnowledgeBase());

function run(argv: string[], stdin = ''): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), readStdin: () => stdin }, matcher);
  return { code, out, err };
}

const parse = (line: string): CliOutput => JSON.parse(line) as CliOutput;

describe('match CLI', () => {
  it('prints exactly one JSON line with id, outcome, score and alternatives', () => {
    const { code, out, err } = run(['0X80072efd']);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    expect(out[0]).not.toContain('\n');
    expect(Object.keys(parse(out[0]!)).sort()).toEqual(['alternatives', 'id', 'outcome', 'score']);
    expect(parse(out[0]!)).toMatchObject({ id: 'error-0x80072efd', outcome: 'confident' });
  });

  it('reports no match with a null id', () => {
    expect(parse(run(['How do I reset my password?']).out[0]!)).toMatchObject({ id: null, outcome: 'none', alternatives: [] });
  });

  it.each([
    [['--locale', 'nl-NL']],
    [['--locale=nl-NL']],
  ])('adds title and fix in the requested language (%j)', (flags) => {
    const out = parse(run([...flags, 'The product key you entered has expired.']).out[0]!);
    const entry = matcher.entry('key-expired')!;
    expect(out).toMatchObject({ id: 'key-expired', title: entry.title['nl-NL'], fix: entry.fix['nl-NL'] });
  });

  it('gives an empty fix with --locale when nothing matched', () => {
    expect(parse(run(['--locale', 'en-US', 'hello']).out[0]!)).toMatchObject({ id: null, title: null, fix: [] });
  });

  it('reads the paste from stdin with -', () => {
    expect(parse(run(['-'], 'Product zonder licentie\n').out[0]!).id).toBe('unlicensed-product');
  });

  it('never prints a pasted product key, and flags it', () => {
    const { out } = run(['here it is: NOTAR-EALKE-Y1234-56789-ABCDE']);
    expect(out.join('\n')).not.toMatch(/NOTAR|EALKE|Y1234|56789|ABCDE/);
    expect(parse(out[0]!)).toMatchObject({ id: null, outcome: 'none', productKey: true });
  });

  it('still names the error pasted together with a key', () => {
    const { out } = run(['NOTAR-EALKE-Y1234-56789-ABCDE: This product key has already been used.']);
    expect(out.join('\n')).not.toMatch(/NOTAR|EALKE|Y1234|56789|ABCDE/);
    expect(parse(out[0]!)).toMatchObject({ id: 'key-already-used', productKey: true });
  });

  it.each([
    ['no text', [] as string[], /no text given/],
    ['blank text', ['   '], /no text given/],
    ['an unknown locale', ['--locale', 'de-DE', 'text'], new RegExp(`--locale needs one of ${loadLanguages().tags.join(', ')}`)],
    ['an unknown option', ['--verbose', 'text'], /unknown option --verbose/],
  ])('exits 2 with a message on stderr for %s', (_, argv, message) => {
    const { code, out, err } = run(argv);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(message);
  });

  it('runs as an npm script', () => {
    const root = path.resolve(__dirname, '../..');
    const ok = spawnSync('npm', ['run', '--silent', 'match', '--', '0x80070005'], { cwd: root, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(ok.stdout)).toMatchObject({ id: 'error-0x80070005', outcome: 'confident' });
    const empty = spawnSync('npm', ['run', '--silent', 'match'], { cwd: root, encoding: 'utf8' });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/no text given/);
  });
});

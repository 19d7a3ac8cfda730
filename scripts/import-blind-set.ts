/**
 * `npm run blind:import -- <dir of writer files> <output>`: joins blind writers' files (one voice
 * each, `{writer, items}`) into one evaluation set, each item tagged with its writer's file name,
 * e.g. `npm run blind:import -- <writers-dir> test/understanding/blind-set-3.json`. The bench and
 * the accuracy test pick up every `test/understanding/blind-set-*.json`; floors are in
 * `test/understanding/floors.json`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { loadLanguages } from '../src/i18n/languages';

const languages = loadLanguages();
const language = z.string().refine((tag) => languages.has(tag), `must be one of ${languages.tags.join(', ')}`);

const writerFile = z.object({
  writer: z.string(),
  items: z.array(z.object({ lang: language, conversation: language, step: z.string(), expect: z.string(), text: z.string().min(1) })).min(1),
});

function main([dir, out]: string[]): void {
  if (!dir || !out) throw new Error('usage: npm run blind:import -- <dir of writer files> <output.json>');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const voices: Record<string, string> = {};
  const items = files.flatMap((f) => {
    const parsed = writerFile.parse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    const writer = basename(f, '.json');
    voices[writer] = parsed.writer;
    return parsed.items.map((i) => ({ writer, ...i }));
  });
  const set = {
    description:
      'Blind evaluation set: written by writers who never saw content/*/intents.json nor the other sets, one voice each (voices). Never trained on; test/understanding/overlap.test.ts proves it. Same item format as eval-set.json, plus writer.',
    voices,
    items,
  };
  writeFileSync(out, `${JSON.stringify(set, null, 1)}\n`);
  process.stdout.write(`${out}: ${items.length} messages from ${files.length} writers\n`);
}

main(process.argv.slice(2));

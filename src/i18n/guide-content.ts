import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locale } from '../../dialogs/types';
import { CONTENT_DIR } from '../paths';
import { loadLanguages } from './languages';

/** One block of knowledge shown with a step: an intro text, or a titled list of steps with links. */
export interface ContentBlock {
  title?: string;
  text?: string;
  steps?: string[];
  more?: string;
}

export interface GuideContent {
  block(locale: Locale, ref: string): ContentBlock | undefined;
  refs(locale: Locale): string[];
}

type Tree = { [key: string]: Tree | ContentBlock };

const isBlock = (node: Tree | ContentBlock): node is ContentBlock =>
  ['title', 'text', 'steps', 'more'].some((k) => k in node);

function flatten(tree: Tree, prefix = ''): Array<[string, ContentBlock]> {
  return Object.entries(tree).flatMap(([key, node]) =>
    isBlock(node) ? [[`${prefix}${key}`, node] as [string, ContentBlock]] : flatten(node, `${prefix}${key}.`),
  );
}

/** The step knowledge in content/<locale>/guide.json, addressed by the refs in each step's meta. */
export function loadGuideContent(dir = CONTENT_DIR): GuideContent {
  const byLocale = new Map<Locale, Map<string, ContentBlock>>(
    loadLanguages(dir).tags.map((locale) => [locale, new Map(flatten(JSON.parse(readFileSync(join(dir, locale, 'guide.json'), 'utf8'))))]),
  );
  return {
    block: (locale, ref) => byLocale.get(locale)?.get(ref),
    refs: (locale) => [...(byLocale.get(locale)?.keys() ?? [])],
  };
}

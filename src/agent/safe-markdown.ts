import { escapeHtml } from '../channels/webchat-page';

/**
 * The Renderer's Markdown as HTML the console can insert as-is. Everything is escaped first; only
 * the few constructs the bot's content uses come back as markup: **bold**, numbered and bulleted
 * lists, line breaks, and links whose address is https (anything else shows as plain text).
 */
export function markdownToHtml(markdown: string): string {
  // NUL marks link placeholders below, so it must not come from the input.
  const text = markdown.replace(/\r\n?/g, '\n').replace(/\u0000/g, '');
  return text
    .split(/\n[ \t]*\n/)
    .map(block)
    .join('');
}

/** Plain text for the clipboard: the same Markdown without its markers. */
export function markdownToText(markdown: string): string {
  return markdown
    .replace(/\r\n?/g, '\n')
    .replace(/\[([^\]\n]*)\]\(([^()\s]*)\)/g, (_m, label: string, url: string) => (safeUrl(url) ? `${label} (${url})` : label))
    .replace(/\*\*/g, '');
}

const ORDERED = /^\s*\d+[.)]\s+(.*)$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;

function block(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  let html = '';
  let paragraph: string[] = [];
  let list: { tag: 'ol' | 'ul'; items: string[] } | null = null;
  const flushParagraph = () => {
    if (paragraph.length) html += `<p>${paragraph.map(inline).join('<br>')}</p>`;
    paragraph = [];
  };
  const flushList = () => {
    if (list) html += `<${list.tag}>${list.items.map((item) => `<li>${inline(item)}</li>`).join('')}</${list.tag}>`;
    list = null;
  };
  for (const line of lines) {
    const ordered = ORDERED.exec(line);
    const bullet = ordered ? null : BULLET.exec(line);
    const tag = ordered ? 'ol' : bullet ? 'ul' : null;
    if (!tag) {
      flushList();
      paragraph.push(line.trim());
      continue;
    }
    flushParagraph();
    if (list && list.tag !== tag) flushList();
    list ??= { tag, items: [] };
    list.items.push((ordered ?? bullet)![1]!);
  }
  flushParagraph();
  flushList();
  return html;
}

const LINK = /\[([^\]\n]*)\]\(([^()\s]*)\)/g;

/** One line: links become placeholders, so that bold may span them and never reaches inside an attribute. */
function inline(raw: string): string {
  const anchors: string[] = [];
  let escaped = '';
  let last = 0;
  for (const m of raw.matchAll(LINK)) {
    escaped += escapeHtml(raw.slice(last, m.index));
    const label = emphasis(escapeHtml(m[1]!));
    const url = safeUrl(m[2]!);
    anchors.push(url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer" target="_blank">${label}</a>` : label);
    escaped += `\u0000${anchors.length - 1}\u0000`;
    last = m.index + m[0].length;
  }
  escaped += escapeHtml(raw.slice(last));
  return emphasis(escaped).replace(/\u0000(\d+)\u0000/g, (_m, i: string) => anchors[Number(i)]!);
}

/**
 * `**` pairs as CommonMark reads them, close enough for our content: a marker followed by text
 * opens, one preceded by text closes, so a bold phrase inside a bold question nests instead of
 * turning inside out. A marker left open stays literal.
 */
function emphasis(escaped: string): string {
  const parts = escaped.split('**');
  if (parts.length < 3) return escaped;
  const out: string[] = [parts[0]!];
  const open: number[] = [];
  for (let i = 1; i < parts.length; i++) {
    const before = parts[i - 1]!;
    const after = parts[i]!;
    const canClose = open.length > 0 && before !== '' && !/\s$/.test(before);
    const canOpen = after !== '' && !/^\s/.test(after);
    if (canClose) {
      open.pop();
      out.push('</strong>');
    } else if (canOpen) {
      open.push(out.length);
      out.push('<strong>');
    } else {
      out.push('**');
    }
    out.push(after);
  }
  for (const index of open) out[index] = '**';
  return out.join('');
}

/** Only absolute https addresses become links: no javascript:, data:, relative or protocol-relative ones. */
function safeUrl(raw: string): string | null {
  if (!/^https:\/\//i.test(raw)) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' && url.hostname !== '' ? url.href : null;
  } catch {
    return null;
  }
}

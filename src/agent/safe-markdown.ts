import MarkdownIt from 'markdown-it';

/**
 * The Renderer's Markdown as HTML the console can insert as-is, rendered by markdown-it with raw
 * HTML off (any tag in the input is shown as text), line breaks kept, and links only to absolute
 * https addresses (anything else stays plain text). Links open in a new tab without an opener.
 */
const md = new MarkdownIt({ html: false, breaks: true, linkify: false, typographer: false });

md.validateLink = (url) => safeUrl(url) !== null;

const renderToken = md.renderer.renderToken.bind(md.renderer);
md.renderer.rules.link_open = (tokens, index, options) => {
  const token = tokens[index]!;
  token.attrSet('rel', 'noopener noreferrer');
  token.attrSet('target', '_blank');
  return renderToken(tokens, index, options);
};

export function markdownToHtml(markdown: string): string {
  return md.render(markdown).trim();
}

/** Plain text for the clipboard: the same Markdown without its markers. */
export function markdownToText(markdown: string): string {
  return markdown
    .replace(/\r\n?/g, '\n')
    .replace(/\[([^\]\n]*)\]\(([^()\s]*)\)/g, (_m, label: string, url: string) => (safeUrl(url) ? `${label} (${url})` : label))
    .replace(/\*\*/g, '');
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

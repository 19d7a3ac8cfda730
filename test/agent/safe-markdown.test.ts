import { markdownToHtml, markdownToText } from '../../src/agent/safe-markdown';

describe('safe Markdown for the agent console', () => {
  it.each([
    ['bold', 'Go to **Billing**.', '<p>Go to <strong>Billing</strong>.</p>'],
    ['a bold phrase inside a bold question nests', '**See **Reactivate** here?**', '<p><strong>See <strong>Reactivate</strong> here?</strong></p>'],
    ['an unmatched marker stays literal', 'a ** b', '<p>a ** b</p>'],
    ['numbered list', '1. One\n2. **Two**', '<ol>\n<li>One</li>\n<li><strong>Two</strong></li>\n</ol>'],
    ['bulleted list after a paragraph', '**Summary**\n- Topic: x\n- Steps: a → b', '<p><strong>Summary</strong></p>\n<ul>\n<li>Topic: x</li>\n<li>Steps: a → b</li>\n</ul>'],
    ['paragraphs and line breaks', 'one\ntwo\n\nthree', '<p>one<br>\ntwo</p>\n<p>three</p>'],
    [
      'https link with bold text',
      'Open [**Billing > Subscriptions**](https://go.microsoft.com/fwlink/p/?linkid=842054&a=1).',
      '<p>Open <a href="https://go.microsoft.com/fwlink/p/?linkid=842054&amp;a=1" rel="noopener noreferrer" target="_blank"><strong>Billing &gt; Subscriptions</strong></a>.</p>',
    ],
  ])('%s', (_name, markdown, html) => {
    expect(markdownToHtml(markdown)).toBe(html);
  });

  it('escapes HTML, so a script tag or an event handler is only text', () => {
    const html = markdownToHtml('<script>alert(1)</script> <img src=x onerror="alert(2)"> **<b>x</b>**');
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<strong>&lt;b&gt;x&lt;/b&gt;</strong>');
  });

  it.each([
    ['javascript:', '[click](javascript:alert(1))'],
    ['JavaScript: in capitals', '[click](JavaScript:alert(document.cookie))'],
    ['data:', '[click](data:text/html;base64,PHNjcmlwdD4=)'],
    ['plain http', '[click](http://example.invalid)'],
    ['protocol-relative', '[click](//evil.example)'],
    ['relative', '[click](/agent/api/cases)'],
  ])('does not link a %s address', (_name, markdown) => {
    const html = markdownToHtml(markdown);
    expect(html).not.toContain('<a ');
    expect(html).not.toMatch(/href/i);
    expect(html).toContain('click');
  });

  it('cannot break out of the href attribute', () => {
    const html = markdownToHtml('[x](https://example.invalid/"onmouseover="alert(1))');
    expect(html).not.toMatch(/"\s*onmouseover=/);
    const quoteInUrl = markdownToHtml('[x](https://example.invalid/a"b)');
    expect(quoteInUrl).not.toContain('a"b');
  });

  it('replaces NUL characters, as CommonMark says, and still links what follows', () => {
    const html = markdownToHtml('\u00000\u0000 [a](https://example.invalid)');
    expect(html).toBe('<p>\ufffd0\ufffd <a href="https://example.invalid" rel="noopener noreferrer" target="_blank">a</a></p>');
  });

  it('gives plain text for the clipboard', () => {
    expect(markdownToText('**Case summary**\n- Topic: [x](https://example.invalid)\n- Bad: [y](javascript:1)')).toBe(
      'Case summary\n- Topic: x (https://example.invalid)\n- Bad: y',
    );
  });
});

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locale } from '../../dialogs/types';
import { escapeHtml, jsonForScript } from '../channels/webchat-page';
import { ROOT_DIR } from '../paths';
import type { FlowMapLine } from './flow-map';

/** locales/<locale>/agent.json: nested objects of strings. */
export type AgentStrings = Record<string, unknown>;

export interface ConsolePageConfig {
  uiLocale: Locale;
  strings: AgentStrings;
  /** Customer languages the agent can start a call in, in picker order (the language table's). */
  customerLocales: readonly Locale[];
  /** The language the agent reads beside the customer's (the table's default). */
  agentLocale: Locale;
  /** Each language's name for this agent, e.g. "Dutch (Nederlands)". */
  languageNames: Record<Locale, string>;
  flow: FlowMapLine[];
  api: string;
  /** Where console.js fetches Mermaid from (with the token) to draw the flow map. */
  mermaidUrl: string;
}

/** Looks up `a.b` in the nested strings; the key itself when missing, so a gap shows instead of breaking the page. */
export function stringAt(strings: AgentStrings, key: string): string {
  const value = key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), strings);
  return typeof value === 'string' ? value : key;
}

/** The console's script and styles ship as source files; they are inlined under a per-response nonce. */
export function loadConsoleAssets(): { script: string; style: string } {
  const dir = join(ROOT_DIR, 'src', 'agent');
  const script = readFileSync(join(dir, 'console.js'), 'utf8');
  const style = readFileSync(join(dir, 'console.css'), 'utf8');
  // Inlined text must not be able to end its own element early.
  if (/<\/script/i.test(script) || /<\/style/i.test(style)) throw new Error('src/agent/console.js or console.css contains a closing tag');
  return { script, style };
}

export interface HtmlResponse {
  html: string;
  headers: Record<string, string>;
}

/**
 * Inline script and style under a nonce rather than separate asset URLs: every /agent request
 * needs the token, and a <script src> cannot send the Authorization header.
 */
function respond(html: (nonce: string) => string): HtmlResponse {
  const nonce = randomBytes(16).toString('base64');
  const body = html(nonce);
  return {
    html: body,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        // Mermaid measures and styles the flow map with <style> elements and style attributes of
        // its own making, as Web Chat does on its page; scripts stay held to the nonce.
        "style-src 'self' 'unsafe-inline'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join('; '),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    },
  };
}

/** The start of both pages, up to the open <head> (callers add to it and close it). The title comes escaped. */
function documentHead(lang: string, title: string, nonce: string, style: string): string {
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">${style}</style>`;
}

export function renderConsolePage(config: ConsolePageConfig, assets: { script: string; style: string }): HtmlResponse {
  const s = (key: string) => escapeHtml(stringAt(config.strings, key));
  const options = config.customerLocales.map((l) => `<option value="${l}" lang="${l}">${escapeHtml(config.languageNames[l] ?? l)}</option>`).join('');
  return respond(
    (nonce) => `${documentHead(config.uiLocale, s('pageTitle'), nonce, assets.style)}
<script id="agent-config" type="application/json">${jsonForScript(config)}</script>
</head>
<body>
<header class="topbar">
  <div class="brand">
    <h1>${s('heading')}</h1>
    <p>${s('tagline')}</p>
  </div>
  <nav class="tabs" role="tablist" aria-label="${s('navLabel')}">
    <button type="button" role="tab" id="tab-script" data-view="script" aria-selected="true" aria-controls="view-script">${s('navScript')}</button>
    <button type="button" role="tab" id="tab-handoffs" data-view="handoffs" aria-selected="false" aria-controls="view-handoffs">${s('navHandoffs')} <span class="badge" id="handoff-count" hidden></span></button>
    <button type="button" role="tab" id="tab-stats" data-view="stats" aria-selected="false" aria-controls="view-stats">${s('navStats')}</button>
  </nav>
</header>
<noscript><p class="banner error">${s('noScript')}</p></noscript>
<p class="banner error" id="error" role="alert" hidden></p>
<main>
<section class="view" id="view-script" role="tabpanel" aria-labelledby="tab-script">
  <div class="callbar">
    <label for="customer-locale">${s('customerLanguage')}</label>
    <select id="customer-locale">${options}</select>
    <button type="button" class="primary" id="start-call">${s('startCall')}</button>
  </div>
  <nav class="path" aria-label="${s('path')}"><ol id="path"><li class="muted">${s('pathEmpty')}</li></ol></nav>
  <div class="script-grid">
    <div class="script-main">
      <p class="empty" id="script-empty">${s('scriptEmpty')}</p>
      <div id="script" hidden>
        <p class="step-name"><span class="muted">${s('currentStep')}:</span> <strong id="step-name"></strong> <code id="step-id"></code></p>
        <div class="columns" id="columns">
          <article class="column customer">
            <h2>${s('readToCustomer')} <span class="lang" id="customer-lang"></span></h2>
            <div class="md" id="customer-text"></div>
          </article>
          <article class="column english">
            <h2>${s('englishForYou')} <span class="lang">${escapeHtml(config.agentLocale.split('-')[0]!.toUpperCase())}</span></h2>
            <div class="md" id="english-text"></div>
          </article>
        </div>
        <p class="muted" id="same-language" hidden>${s('sameLanguage')}</p>
        <section class="answers" aria-labelledby="answers-title">
          <h3 id="answers-title">${s('answers')}</h3>
          <div class="choices" id="choices"></div>
          <form class="say" id="say-form" autocomplete="off">
            <label for="say">${s('customerSays')}</label>
            <div class="row"><input id="say" type="text" maxlength="4096" spellcheck="false"><button type="submit">${s('send')}</button></div>
            <p class="hint">${s('customerSaysHint')}</p>
          </form>
        </section>
        <div class="controls" id="controls" role="group" aria-label="${s('controlsLabel')}"></div>
        <section class="summary" id="summary" hidden aria-labelledby="summary-title">
          <div class="summary-head">
            <h3 id="summary-title">${s('summary')}</h3>
            <button type="button" class="primary" id="copy">${s('copySummary')}</button>
          </div>
          <p class="status-line" id="copy-status" role="status" aria-live="polite"></p>
          <div class="columns">
            <div><h4>${s('summaryEnglish')}</h4><div class="md" id="summary-english"></div></div>
            <div id="summary-customer-box"><h4>${s('summaryCustomer')}</h4><div class="md" id="summary-customer"></div></div>
          </div>
          <textarea id="summary-text" class="clip" readonly rows="8" aria-label="${s('summary')}"></textarea>
        </section>
      </div>
    </div>
    <aside class="script-side">
      <section class="panel" aria-labelledby="lookup-title">
        <h2 id="lookup-title">${s('lookup')}</h2>
        <form id="lookup-form" autocomplete="off">
          <label for="lookup-text">${s('lookupLabel')}</label>
          <textarea id="lookup-text" rows="3" maxlength="4096" spellcheck="false" placeholder="${s('lookupPlaceholder')}"></textarea>
          <button type="submit">${s('lookupButton')}</button>
        </form>
        <div id="lookup-result" aria-live="polite"></div>
      </section>
      <section class="panel" aria-labelledby="flow-title">
        <h2 id="flow-title">${s('flowMap')}</h2>
        <p class="hint">${s('flowMapHint')}</p>
        <div class="flow-tools" id="flow-tools" hidden>
          <button type="button" id="flow-zoom-out" aria-label="${s('flowZoomOut')}" title="${s('flowZoomOut')}">−</button>
          <button type="button" id="flow-zoom-in" aria-label="${s('flowZoomIn')}" title="${s('flowZoomIn')}">+</button>
        </div>
        <div class="flow-drawing" id="flow-drawing" role="img" tabindex="0" aria-label="${s('flowDrawingLabel')}" hidden></div>
        <p class="hint" id="flow-failed" role="status" hidden>${s('flowDrawingFailed')}</p>
        <details class="flow-text" id="flow-text">
          <summary>${s('flowText')}</summary>
          <pre class="flow" id="flow-map" tabindex="0"></pre>
        </details>
      </section>
    </aside>
  </div>
</section>
<section class="view" id="view-handoffs" role="tabpanel" aria-labelledby="tab-handoffs" hidden>
  <div class="toolbar">
    <h2>${s('handoffs')}</h2>
    <label class="check"><input type="checkbox" id="show-all"> ${s('showAll')}</label>
    <button type="button" id="refresh-cases">${s('refresh')}</button>
  </div>
  <div class="cases">
    <ul class="case-list" id="case-list"></ul>
    <div class="case-detail" id="case-detail"><p class="empty">${s('selectCase')}</p></div>
  </div>
</section>
<section class="view" id="view-stats" role="tabpanel" aria-labelledby="tab-stats" hidden>
  <div class="toolbar">
    <h2>${s('stats')}</h2>
    <button type="button" id="refresh-stats">${s('refresh')}</button>
  </div>
  <p class="hint">${s('statsNote')}</p>
  <div class="metrics" id="metrics"></div>
  <h3>${s('topErrors')}</h3>
  <div id="top-errors"></div>
  <h3>${s('notUnderstood')}</h3>
  <div id="not-understood"></div>
</section>
</main>
<script nonce="${nonce}">${assets.script}</script>
</body>
</html>
`,
  );
}

/** What a refused page load gets: no data, a form for the token, and nothing else. */
export function renderRefusedPage(strings: AgentStrings, locale: Locale, status: 401 | 403, tokenWasGiven: boolean, style: string): HtmlResponse {
  const s = (key: string) => escapeHtml(stringAt(strings, key));
  const message = status === 403 ? s('authForbidden') : tokenWasGiven ? s('authRejected') : s('authPrompt');
  const form =
    status === 401
      ? `<form method="get" action="/agent" autocomplete="off">
  <label for="token">${s('tokenLabel')}</label>
  <input id="token" name="token" type="password" required autofocus>
  <button type="submit" class="primary">${s('signIn')}</button>
</form>`
      : '';
  return respond(
    (nonce) => `${documentHead(locale, s('authTitle'), nonce, style)}
${status === 401 ? `<script nonce="${nonce}">${resumeScript(tokenWasGiven)}</script>` : ''}
</head>
<body class="auth">
<main class="auth-box">
<h1>${s('heading')}</h1>
<p${tokenWasGiven ? ' class="error"' : ''}>${message}</p>
${form}
</main>
</body>
</html>
`,
  );
}

/**
 * The console drops ?token= from the address bar once it has it in sessionStorage, so a reload
 * arrives here without it: pick it up again. A token that was refused is forgotten instead.
 */
function resumeScript(tokenWasGiven: boolean): string {
  return tokenWasGiven
    ? "try{sessionStorage.removeItem('agentToken')}catch(e){}"
    : "try{var t=sessionStorage.getItem('agentToken');if(t){location.replace('/agent?token='+encodeURIComponent(t)+location.hash)}}catch(e){}";
}

/*
 * Browser side of the Web Chat page (src/channels/webchat-page.ts). Plain ES2020, served as-is.
 * Every visible string comes from the JSON config the server injects (#webchat-config), so this
 * file holds no text of its own.
 */
'use strict';

(() => {
  const STORAGE_KEY = 'activation-guide.locale';
  // botframework-directlinejs ConnectionStatus values.
  const ONLINE = 2;
  const EXPIRED_TOKEN = 3;
  const FAILED_TO_CONNECT = 4;
  const ENDED = 5;

  const config = JSON.parse(document.getElementById('webchat-config').textContent);
  const chat = document.getElementById('chat');
  const statusLine = document.getElementById('status');
  const picker = document.getElementById('language');
  const restart = document.getElementById('restart');

  let locale = initialLocale();
  /** Incremented per (re)start, so a slow token response cannot revive a superseded conversation. */
  let session = 0;
  let current = null;

  function isSupported(value) {
    return typeof value === 'string' && config.locales.includes(value);
  }

  function storedLocale() {
    try {
      const value = window.localStorage.getItem(STORAGE_KEY);
      return isSupported(value) ? value : null;
    } catch {
      return null; // storage can be disabled; the choice then lasts for this page only
    }
  }

  function storeLocale(value) {
    try {
      window.localStorage.setItem(STORAGE_KEY, value);
    } catch {
      // see storedLocale()
    }
  }

  function initialLocale() {
    return config.requestedLocale || storedLocale() || config.initialLocale || config.defaultLocale;
  }

  function t(key) {
    const own = config.strings[locale] || {};
    const fallback = config.strings[config.defaultLocale] || {};
    return own[key] || fallback[key] || key;
  }

  function applyStrings() {
    document.documentElement.lang = locale;
    document.title = t('pageTitle');
    for (const element of document.querySelectorAll('[data-i18n]')) {
      // <option> labels name each language in that language, so they do not change.
      if (element.tagName !== 'OPTION') element.textContent = t(element.dataset.i18n);
    }
    for (const element of document.querySelectorAll('[data-i18n-aria-label]')) {
      element.setAttribute('aria-label', t(element.dataset.i18nAriaLabel));
    }
    picker.value = locale;
  }

  function showStatus(key) {
    if (key) {
      statusLine.dataset.i18n = key;
      statusLine.textContent = t(key);
      statusLine.hidden = false;
    } else {
      statusLine.hidden = true;
    }
  }

  async function fetchToken() {
    const response = await fetch(config.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      // The local Direct Line passes the locale on to the bot's first conversationUpdate.
      body: JSON.stringify({ locale }),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    if (!response.ok) throw new Error(`token request failed: ${response.status}`);
    const body = await response.json();
    if (typeof body.token !== 'string' || !body.token) throw new Error('token response without token');
    return body.token;
  }

  function directLineDomain() {
    const domain = config.directLineDomain;
    return domain && domain.startsWith('/') ? window.location.origin + domain : domain;
  }

  function stop() {
    if (!current) return;
    current.subscription.unsubscribe();
    current.languageFollower.unsubscribe();
    current.languageMarker.disconnect();
    current.directLine.end();
    // renderWebChat offers no unmount; the old tree is detached with its ended connection.
    current.host.remove();
    current = null;
  }

  function isShownMessage(activity) {
    return (
      activity.type === 'message' &&
      !!activity.from &&
      (activity.from.role === 'bot' || activity.from.role === 'user') &&
      (!!activity.text || (Array.isArray(activity.attachments) && activity.attachments.length > 0))
    );
  }

  /**
   * Marks every message in the transcript with its own language (`lang`), so that a screen reader
   * keeps reading the earlier Dutch messages as Dutch after the chat has switched to English.
   * Web Chat renders one <article> per shown message, in the order of its store, but sets no
   * `lang` on it, and its render middleware would need a React of our own. So the articles are
   * paired with the store's shown messages, and only when both counts agree.
   */
  function markMessageLanguages(host, store) {
    let scheduled = false;
    const mark = () => {
      scheduled = false;
      const articles = host.querySelectorAll('article.webchat__basic-transcript__activity');
      const messages = store.getState().activities.filter(isShownMessage);
      if (articles.length !== messages.length) return;
      messages.forEach((activity, i) => {
        const lang = isSupported(activity.locale) ? activity.locale : null;
        if (lang && articles[i].getAttribute('lang') !== lang) articles[i].setAttribute('lang', lang);
      });
    };
    const observer = new MutationObserver(() => {
      if (scheduled) return;
      scheduled = true;
      window.requestAnimationFrame(mark);
    });
    observer.observe(host, { childList: true, subtree: true });
    return observer;
  }

  async function start() {
    const mySession = ++session;
    stop();
    applyStrings();
    showStatus('connecting');

    const WebChat = window.WebChat;
    if (!WebChat) {
      showStatus('connectFailed');
      return;
    }

    let token;
    try {
      token = await fetchToken();
    } catch {
      if (mySession === session) showStatus('connectFailed');
      return;
    }
    if (mySession !== session) return;

    const directLine = WebChat.createDirectLine({
      token,
      domain: directLineDomain() || undefined,
      webSocket: config.webSocket,
      conversationStartProperties: { locale },
    });
    const host = document.createElement('div');
    host.className = 'webchat';
    chat.appendChild(host);
    const subscription = directLine.connectionStatus$.subscribe({
      next(status) {
        if (mySession !== session) return;
        if (status === ONLINE) showStatus(null);
        else if (status === FAILED_TO_CONNECT) showStatus('connectFailed');
        else if (status === EXPIRED_TOKEN || status === ENDED) showStatus('conversationEnded');
      },
    });
    // The user can also switch language by typing ("english", "taal"). The bot then answers in
    // the new language, and the page follows its lead without starting a new conversation.
    const languageFollower = directLine.activity$.subscribe({
      next(activity) {
        if (mySession !== session || activity.type !== 'message' || !activity.from || activity.from.role !== 'bot') return;
        if (!isSupported(activity.locale) || activity.locale === locale) return;
        locale = activity.locale;
        storeLocale(locale);
        applyStrings();
        render();
      },
    });
    const store = WebChat.createStore();
    current = { directLine, host, subscription, languageFollower, languageMarker: markMessageLanguages(host, store) };

    // Rendering again into the same element with the same store keeps the transcript.
    const render = () => WebChat.renderWebChat(
      {
        directLine,
        // Web Chat's own texts follow this, and it is sent as `locale` on every user activity: the
        // language table's `webChat` locale for a language Web Chat has no texts for (qps-ploc).
        locale: config.webChatLocales[locale] || locale,
        store,
        overrideLocalizedStrings: { TEXT_INPUT_PLACEHOLDER: t('inputPlaceholder') },
        styleOptions: {
          hideUploadButton: true,
          sendBoxTextWrap: true,
          suggestedActionLayout: 'flow',
          // Room for long answer labels (known-error titles) on one line on a wide screen.
          bubbleMaxWidth: 640,
          bubbleBorderRadius: 8,
          bubbleFromUserBorderRadius: 8,
          primaryFont: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
        },
      },
      host,
    );
    render();
  }

  picker.addEventListener('change', () => {
    if (!isSupported(picker.value) || picker.value === locale) return;
    locale = picker.value;
    storeLocale(locale);
    start();
  });

  restart.addEventListener('click', () => start());

  start();
})();

/*
 * Agent console client (served inline by src/agent/console-page.ts under a CSP nonce).
 * Plain browser JavaScript, no build step, no framework. The server runs the dialog machine and
 * sends each step ready to show; HTML from the server comes from the safe Markdown converter,
 * everything else is set as text.
 */
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('agent-config').textContent);
  var strings = config.strings;
  var TOKEN_KEY = 'agentToken';

  function s(key) {
    var value = key.split('.').reduce(function (node, part) {
      return node && typeof node === 'object' ? node[part] : undefined;
    }, strings);
    return typeof value === 'string' ? value : key;
  }
  function fill(text, vars) {
    return text.replace(/\{\{(\w+)\}\}/g, function (m, name) {
      return vars && name in vars ? String(vars[name]) : m;
    });
  }
  function $(id) {
    return document.getElementById(id);
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // ---- the token -------------------------------------------------------------------------------
  // A link may carry ?token=; keep it for this tab only and take it out of the address bar and history.
  var token = '';
  try {
    var url = new URL(window.location.href);
    token = url.searchParams.get('token') || window.sessionStorage.getItem(TOKEN_KEY) || '';
    if (url.searchParams.has('token')) {
      if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
      url.searchParams.delete('token');
      window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    }
  } catch (e) {
    /* sessionStorage can be blocked; the token then lives in this page only */
  }

  function showError(message) {
    var box = $('error');
    box.textContent = message || '';
    box.hidden = !message;
  }

  function api(method, path, body) {
    var headers = { Accept: 'application/json', 'Accept-Language': config.uiLocale };
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(config.api + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin',
    }).then(function (res) {
      return res.json().catch(function () {
        return null;
      }).then(function (data) {
        if (res.ok) {
          showError('');
          return data;
        }
        var error = new Error((data && data.error && data.error.code) || 'HTTP ' + res.status);
        error.status = res.status;
        error.code = data && data.error && data.error.code;
        throw error;
      });
    });
  }

  function reportFailure(error) {
    if (error && error.status === 401) showError(s('unauthorized'));
    else if (error && error.code === 'SessionNotFound') showError(s('sessionExpired'));
    else showError(s('requestFailed'));
  }

  // ---- tabs ------------------------------------------------------------------------------------
  var tabs = Array.prototype.slice.call(document.querySelectorAll('.tabs [role=tab]'));
  function showTab(name) {
    tabs.forEach(function (tab) {
      var on = tab.getAttribute('data-view') === name;
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      $('view-' + tab.getAttribute('data-view')).hidden = !on;
    });
    if (name === 'handoffs') loadCases();
    if (name === 'stats') {
      loadStats();
      loadNotUnderstood();
    }
  }
  tabs.forEach(function (tab) {
    tab.addEventListener('click', function () {
      showTab(tab.getAttribute('data-view'));
    });
  });

  // ---- flow map --------------------------------------------------------------------------------
  var flowLines = config.flow.map(function (line) {
    var span = el('span', /^\s*%%/.test(line.text) ? 'comment' : '', line.text || ' ');
    $('flow-map').appendChild(span);
    return { line: line, span: span };
  });
  function markFlow(view) {
    var visited = {};
    (view ? view.path : []).forEach(function (p) {
      visited[p.step] = true;
    });
    var current = null;
    flowLines.forEach(function (entry) {
      var line = entry.line;
      var classes = [];
      if (/^\s*%%/.test(line.text)) classes.push('comment');
      if (view && line.state === view.step) {
        classes.push('current');
        current = current || entry.span;
      } else if (view && line.from === view.step) classes.push('next');
      else if (line.state && visited[line.state]) classes.push('visited');
      entry.span.className = classes.join(' ');
    });
    if (current) {
      var box = $('flow-map');
      box.scrollTop = Math.max(0, current.offsetTop - box.offsetTop - box.clientHeight / 3);
    }
    markDrawing(view);
  }

  // ---- the drawn flow map ----------------------------------------------------------------------
  // Mermaid draws the same text. It comes from this server (node_modules), fetched with the token
  // like every /agent request, and runs under this page's nonce: no CDN, and the CSP stays strict.
  var scriptNonce = (document.currentScript && document.currentScript.nonce) || '';
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var drawing = null;
  var drawnView = null;
  var ZOOMS = [0.35, 0.5, 0.65, 0.8, 1, 1.25];
  var zoom = 2;

  function loadMermaid() {
    if (window.mermaid) return Promise.resolve(window.mermaid);
    var headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(config.mermaidUrl, { headers: headers, credentials: 'same-origin' })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.text();
      })
      .then(function (code) {
        var script = document.createElement('script');
        script.nonce = scriptNonce;
        script.textContent = code;
        document.head.appendChild(script);
        if (!window.mermaid) throw new Error('mermaid did not start');
        return window.mermaid;
      });
  }

  /** Edge n of the drawing is the n-th `-->` (or note) line: Mermaid numbers them in order. */
  function indexDrawing(svg) {
    var nodes = {};
    Array.prototype.forEach.call(svg.querySelectorAll('g.node[id]'), function (g) {
      var m = /^flow-svg-state-(.+)-\d+$/.exec(g.id);
      if (m) nodes[m[1]] = g;
    });
    var edges = [];
    var n = 0;
    config.flow.forEach(function (line) {
      if (/-->/.test(line.text)) {
        var path = svg.querySelector('#flow-svg-edge' + n);
        var label = svg.querySelector('g.label[data-id="edge' + n + '"]');
        var expected = (line.text.split(' : ')[1] || '').trim();
        // Only trusted when the drawn label is the line's own: then the numbering held.
        if (path && (!label || !expected || label.textContent.trim() === expected)) edges.push({ from: line.from, to: line.to, path: path });
        n++;
      } else if (/^\s*note /.test(line.text)) {
        n++;
      }
    });
    return { svg: svg, nodes: nodes, edges: edges, marks: [], width: svg.viewBox.baseVal.width, height: svg.viewBox.baseVal.height };
  }

  function stepNode(step) {
    return drawing.nodes[step.split('.').join('_')];
  }

  /**
   * A frame around a step. It goes beside the step's group, not in it: Mermaid's branch colours
   * apply to every child of a step's group with !important.
   */
  function ring(g, className) {
    var box = g.getBBox();
    var holder = document.createElementNS(SVG_NS, 'g');
    holder.setAttribute('transform', g.getAttribute('transform') || '');
    var rect = document.createElementNS(SVG_NS, 'rect');
    var pad = className === 'current' ? 7 : 4;
    rect.setAttribute('x', box.x - pad);
    rect.setAttribute('y', box.y - pad);
    rect.setAttribute('width', box.width + 2 * pad);
    rect.setAttribute('height', box.height + 2 * pad);
    rect.setAttribute('rx', 9);
    rect.setAttribute('class', 'flow-ring ' + className);
    holder.setAttribute('data-step', g.id);
    holder.appendChild(rect);
    g.parentNode.appendChild(holder);
    drawing.marks.push(holder);
  }

  function trace(edge) {
    var line = document.createElementNS(SVG_NS, 'path');
    line.setAttribute('d', edge.path.getAttribute('d'));
    line.setAttribute('class', 'flow-trace');
    edge.path.parentNode.insertBefore(line, edge.path.nextSibling);
    drawing.marks.push(line);
  }

  function markDrawing(view) {
    drawnView = view;
    if (!drawing) return;
    drawing.marks.forEach(function (mark) {
      mark.parentNode.removeChild(mark);
    });
    drawing.marks = [];
    if (!view) return;
    var steps = view.path.map(function (p) {
      return p.step;
    });
    for (var i = 1; i < steps.length; i++) {
      drawing.edges.forEach(function (edge) {
        if (edge.from === steps[i - 1] && edge.to === steps[i]) trace(edge);
      });
    }
    steps.forEach(function (step) {
      var g = stepNode(step);
      if (g && step !== view.step) ring(g, 'visited');
    });
    var current = stepNode(view.step);
    if (current) {
      ring(current, 'current');
      centre(current);
    }
  }

  function centre(g) {
    var box = $('flow-drawing');
    var r = g.getBoundingClientRect();
    var b = box.getBoundingClientRect();
    box.scrollLeft += r.left + r.width / 2 - (b.left + b.width / 2);
    box.scrollTop += r.top + r.height / 2 - (b.top + b.height / 2);
  }

  function applyZoom() {
    if (!drawing) return;
    drawing.svg.style.width = Math.round(drawing.width * ZOOMS[zoom]) + 'px';
    drawing.svg.style.height = Math.round(drawing.height * ZOOMS[zoom]) + 'px';
    drawing.svg.style.maxWidth = 'none';
    $('flow-zoom-out').disabled = zoom === 0;
    $('flow-zoom-in').disabled = zoom === ZOOMS.length - 1;
  }

  function changeZoom(step) {
    zoom = Math.max(0, Math.min(ZOOMS.length - 1, zoom + step));
    applyZoom();
    var current = drawnView && stepNode(drawnView.step);
    if (current) centre(current);
  }

  /** Drag to pan (mouse, pen or touch); the box also scrolls, and arrow keys scroll it when focused. */
  function pannable(box) {
    var start = null;
    box.addEventListener('pointerdown', function (event) {
      if (event.button !== 0) return;
      start = { x: event.clientX, y: event.clientY, left: box.scrollLeft, top: box.scrollTop, id: event.pointerId };
      box.setPointerCapture(event.pointerId);
      box.classList.add('panning');
    });
    box.addEventListener('pointermove', function (event) {
      if (!start || event.pointerId !== start.id) return;
      box.scrollLeft = start.left - (event.clientX - start.x);
      box.scrollTop = start.top - (event.clientY - start.y);
    });
    function stop() {
      start = null;
      box.classList.remove('panning');
    }
    box.addEventListener('pointerup', stop);
    box.addEventListener('pointercancel', stop);
  }

  function drawFlow() {
    var box = $('flow-drawing');
    var text = config.flow
      .map(function (line) {
        return line.text;
      })
      .join('\n');
    loadMermaid()
      .then(function (mermaid) {
        mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default', fontFamily: window.getComputedStyle(document.body).fontFamily });
        return mermaid.render('flow-svg', text);
      })
      .then(function (result) {
        box.hidden = false;
        $('flow-tools').hidden = false;
        box.innerHTML = result.svg;
        var svg = box.querySelector('svg');
        // The box is one image for assistive technology; the text version below is what it reads.
        svg.setAttribute('aria-hidden', 'true');
        svg.setAttribute('focusable', 'false');
        drawing = indexDrawing(svg);
        box.setAttribute('data-drawn', String(drawing.edges.length));
        applyZoom();
        pannable(box);
        markDrawing(drawnView);
      })
      .catch(function () {
        box.hidden = true;
        $('flow-tools').hidden = true;
        $('flow-failed').hidden = false;
        $('flow-text').open = true;
      });
  }
  $('flow-zoom-in').addEventListener('click', function () {
    changeZoom(1);
  });
  $('flow-zoom-out').addEventListener('click', function () {
    changeZoom(-1);
  });

  markFlow(null);
  drawFlow();

  // ---- the call script -------------------------------------------------------------------------
  var session = null;
  var busy = false;

  /** The language's name for this agent, from the language table (the page's config). */
  function languageName(locale) {
    return config.languageNames[locale] || locale;
  }

  /** The short badge of a language: its primary subtag ("NL" for nl-NL). */
  function languageBadge(locale) {
    return locale.split('-')[0].toUpperCase();
  }

  function choiceButton(button) {
    var node = el('button', 'choice');
    node.type = 'button';
    node.appendChild(el('span', 'label', button.label));
    if (button.english !== button.label) node.appendChild(el('span', 'en', button.english));
    node.addEventListener('click', function () {
      send(button.send);
    });
    return node;
  }

  function controlButton(button) {
    var command = button.send.command;
    var label = command ? s('control.' + command) : button.english;
    var node = el('button', '', label);
    node.type = 'button';
    node.setAttribute('data-command', command || '');
    node.addEventListener('click', function () {
      send(button.send);
    });
    return node;
  }

  function renderPath(view) {
    var list = $('path');
    list.textContent = '';
    if (!view || view.path.length === 0) {
      list.appendChild(el('li', 'muted', s('pathEmpty')));
      return;
    }
    view.path.forEach(function (p, i) {
      var item = el('li', i === view.path.length - 1 ? 'current' : '', p.english);
      if (p.label !== p.english) item.title = p.label;
      list.appendChild(item);
    });
  }

  var SESSION_KEY = 'agentSession';

  function renderSession(view) {
    session = view;
    try {
      window.sessionStorage.setItem(SESSION_KEY, view.id);
    } catch (e) {
      /* without sessionStorage a reload simply starts without the call */
    }
    $('script-empty').hidden = true;
    $('script').hidden = false;
    var same = view.locale === config.agentLocale;
    $('columns').classList.toggle('single', same);
    $('same-language').hidden = !same;
    $('customer-lang').textContent = languageBadge(view.locale);
    $('customer-lang').title = languageName(view.locale);
    $('customer-text').innerHTML = view.customer.html;
    $('customer-text').lang = view.locale;
    $('english-text').innerHTML = view.english.html;
    var last = view.path[view.path.length - 1];
    $('step-name').textContent = last && last.step === view.step ? last.english : view.step;
    $('step-id').textContent = view.step;

    var choices = $('choices');
    choices.textContent = '';
    view.choices.forEach(function (b) {
      choices.appendChild(choiceButton(b));
    });
    var controls = $('controls');
    controls.textContent = '';
    view.controls.forEach(function (b) {
      controls.appendChild(controlButton(b));
    });

    var summary = $('summary');
    if (view.summary) {
      summary.hidden = false;
      summary.classList.toggle('escalated', view.outcome === 'escalated');
      $('summary-english').innerHTML = view.summary.english.html;
      $('summary-customer').innerHTML = view.summary.customer.html;
      $('summary-customer-box').hidden = view.summary.customer.locale === config.agentLocale;
      $('summary-text').value = view.summary.english.text;
      $('summary-text').classList.remove('shown');
      $('copy-status').textContent = '';
    } else {
      summary.hidden = true;
    }
    renderPath(view);
    markFlow(view);
  }

  function startCall(body) {
    if (busy) return Promise.resolve();
    busy = true;
    return api('POST', '/sessions', body)
      .then(function (view) {
        renderSession(view);
        showTab('script');
      })
      .catch(reportFailure)
      .then(function () {
        busy = false;
      });
  }

  function send(input) {
    if (!session || busy) return Promise.resolve();
    busy = true;
    return api('POST', '/sessions/' + encodeURIComponent(session.id) + '/events', input)
      .then(renderSession)
      .catch(reportFailure)
      .then(function () {
        busy = false;
      });
  }

  $('start-call').addEventListener('click', function () {
    startCall({ locale: $('customer-locale').value });
  });
  $('say-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = $('say');
    var text = input.value;
    if (!text.trim()) return;
    input.value = '';
    send({ text: text });
  });

  // ---- copying the summary ---------------------------------------------------------------------
  function copyFallback(area) {
    area.classList.add('shown');
    area.focus();
    area.select();
    var done = false;
    try {
      done = document.execCommand('copy');
    } catch (e) {
      done = false;
    }
    $('copy-status').textContent = done ? s('copied') : s('copyManual');
  }
  $('copy').addEventListener('click', function () {
    var area = $('summary-text');
    var text = area.value;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          $('copy-status').textContent = s('copied');
        },
        function () {
          copyFallback(area);
        },
      );
    } else {
      copyFallback(area);
    }
  });

  // ---- known-error lookup ----------------------------------------------------------------------
  var otherLocales = config.customerLocales.filter(function (l) {
    return l !== config.uiLocale;
  });
  $('lookup-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var text = $('lookup-text').value;
    if (!text.trim()) return;
    api('POST', '/lookup', { text: text })
      .then(function (result) {
        var box = $('lookup-result');
        box.textContent = '';
        if (result.keyDetected) {
          box.appendChild(el('p', 'notice', s('lookupKey')));
          // The key stays out of the box too, so it is not left on screen.
          $('lookup-text').value = '';
        }
        if (result.outcome === 'none') {
          box.appendChild(el('p', 'muted', s('lookupNone')));
          return;
        }
        box.appendChild(el('p', '', result.outcome === 'confident' ? s('lookupConfident') : s('lookupAmbiguous')));
        result.matches.forEach(function (match) {
          var item = el('div', 'match');
          var title = el('strong', '', match.title[config.uiLocale]);
          item.appendChild(title);
          otherLocales.forEach(function (l) {
            var other = el('div', 'other', match.title[l]);
            other.lang = l;
            item.appendChild(other);
          });
          item.appendChild(el('code', '', match.id));
          if (result.outcome === 'confident') {
            item.appendChild(el('h4', '', s('lookupFix')));
            var list = el('ol');
            match.fix[config.uiLocale].forEach(function (html) {
              var li = el('li', 'md');
              li.innerHTML = html;
              list.appendChild(li);
            });
            item.appendChild(list);
          }
          if (session && session.input === 'error-text') {
            var use = el('button', 'choice', match.title[session.locale] || match.title[config.uiLocale]);
            use.type = 'button';
            use.addEventListener('click', function () {
              send({ errorId: match.id });
            });
            item.appendChild(use);
          }
          box.appendChild(item);
        });
      })
      .catch(reportFailure);
  });

  // ---- hand-offs -------------------------------------------------------------------------------
  var selectedCase = null;

  function when(ms) {
    try {
      return new Date(ms).toLocaleString(config.uiLocale, { dateStyle: 'short', timeStyle: 'short' });
    } catch (e) {
      return new Date(ms).toISOString();
    }
  }

  function statusPill(c) {
    if (c.handOff) {
      var open = c.handOff.status === 'open';
      return el('span', 'pill ' + (open ? 'open-handoff' : 'handled'), open ? s('handoffOpen') : s('handoffClosed'));
    }
    return el('span', 'pill ' + c.status, s('caseStatus.' + c.status));
  }

  function loadCases() {
    var all = $('show-all').checked;
    return api('GET', '/cases' + (all ? '?all=1' : ''))
      .then(function (data) {
        var list = $('case-list');
        list.textContent = '';
        if (!all) updateBadge(data.cases.length);
        if (data.cases.length === 0) {
          list.appendChild(el('li', 'empty', all ? s('casesNone') : s('handoffsNone')));
          return;
        }
        data.cases.forEach(function (c) {
          var item = el('li');
          var button = el('button');
          button.type = 'button';
          button.setAttribute('data-case', c.id);
          if (c.id === selectedCase) button.setAttribute('aria-current', 'true');
          button.appendChild(el('span', 'title', c.handOff ? c.handOff.reasonLabel : c.topic));
          var meta = el('span', 'meta', [c.language, c.topic, when(c.handOff ? c.handOff.at : c.lastActivity)].join(' · ') + ' ');
          meta.appendChild(statusPill(c));
          button.appendChild(meta);
          button.addEventListener('click', function () {
            openCase(c.id);
          });
          item.appendChild(button);
          list.appendChild(item);
        });
      })
      .catch(reportFailure);
  }

  function updateBadge(count) {
    var badge = $('handoff-count');
    badge.textContent = String(count);
    badge.hidden = count === 0;
  }

  function openCase(id) {
    selectedCase = id;
    Array.prototype.forEach.call(document.querySelectorAll('.case-list button'), function (b) {
      b.setAttribute('aria-current', b.getAttribute('data-case') === id ? 'true' : 'false');
    });
    return api('GET', '/cases/' + encodeURIComponent(id))
      .then(renderCase)
      .catch(reportFailure);
  }

  function renderCase(c) {
    var box = $('case-detail');
    box.textContent = '';
    var head = el('div', 'summary-head');
    head.appendChild(el('h3', '', c.handOff ? c.handOff.reasonLabel : c.topic));
    head.appendChild(statusPill(c));
    box.appendChild(head);

    var facts = el('dl');
    function fact(label, value) {
      facts.appendChild(el('dt', '', label));
      facts.appendChild(el('dd', '', value));
    }
    fact(s('status'), s('caseStatus.' + c.status));
    fact(s('language'), c.language);
    fact(s('topic'), c.topic);
    fact(s('currentStep'), c.stepLabel);
    fact(s('channel'), c.channelId);
    fact(s('started'), when(c.startedAt));
    fact(s('lastActivity'), when(c.lastActivity));
    fact(s('matchedErrors'), c.matchedErrors.length ? c.matchedErrors.join(', ') : s('none'));
    if (c.rating !== null) fact(s('rating'), c.rating + '/5');
    box.appendChild(facts);

    var actions = el('div', 'case-actions');
    if (c.handOff && c.handOff.status === 'open') {
      var handled = el('button', 'primary', s('markHandled'));
      handled.type = 'button';
      handled.addEventListener('click', function () {
        api('POST', '/cases/' + encodeURIComponent(c.id) + '/handled', {})
          .then(function () {
            loadCases();
            return openCase(c.id);
          })
          .catch(reportFailure);
      });
      actions.appendChild(handled);
    }
    var resume = el('button', '', s('continueInScript'));
    resume.type = 'button';
    resume.addEventListener('click', function () {
      startCall({ caseId: c.id });
    });
    actions.appendChild(resume);
    box.appendChild(actions);

    box.appendChild(el('h3', '', s('summary')));
    var columns = el('div', 'columns');
    [c.summary.english, c.summary.customer].forEach(function (part, i) {
      if (i === 1 && part.locale === config.agentLocale) return;
      var col = el('div');
      col.appendChild(el('h4', '', i === 0 ? s('summaryEnglish') : s('summaryCustomer')));
      var md = el('div', 'md');
      md.innerHTML = part.html;
      col.appendChild(md);
      columns.appendChild(col);
    });
    box.appendChild(columns);

    box.appendChild(el('h3', '', s('transcript')));
    if (c.dropped > 0) box.appendChild(el('p', 'hint', fill(s('transcriptDropped'), { count: c.dropped })));
    var transcript = el('ol', 'transcript');
    c.transcript.forEach(function (line) {
      var item = el('li', line.from);
      item.appendChild(el('span', 'who', (line.from === 'bot' ? s('fromBot') : s('fromCustomer')) + ' · ' + when(Date.parse(line.at))));
      var body = el('div', 'md');
      body.innerHTML = line.html;
      item.appendChild(body);
      transcript.appendChild(item);
    });
    box.appendChild(transcript);
  }

  $('show-all').addEventListener('change', loadCases);
  $('refresh-cases').addEventListener('click', function () {
    loadCases();
    if (selectedCase) openCase(selectedCase);
  });

  // ---- outcomes --------------------------------------------------------------------------------
  function percent(rate) {
    return rate === null ? s('notAvailable') : Math.round(rate * 1000) / 10 + '%';
  }

  function loadStats() {
    return api('GET', '/stats')
      .then(function (stats) {
        var metrics = $('metrics');
        metrics.textContent = '';
        function metric(label, value, sub, id) {
          var card = el('div', 'metric');
          if (id) card.setAttribute('data-metric', id);
          card.appendChild(el('span', 'value', value));
          card.appendChild(el('span', 'label', label));
          if (sub) card.appendChild(el('span', 'sub', sub));
          metrics.appendChild(card);
        }
        metric(s('statConversations'), String(stats.conversations), null, 'conversations');
        metric(s('statResolutionRate'), percent(stats.rates.resolution), stats.counts.resolved + ' ' + s('statResolved').toLowerCase(), 'resolution');
        metric(s('statEscalationRate'), percent(stats.rates.escalation), stats.counts.escalated + ' ' + s('statEscalated').toLowerCase(), 'escalation');
        metric(s('statAbandonRate'), percent(stats.rates.abandon), stats.counts.abandoned + ' ' + s('statAbandoned').toLowerCase(), 'abandon');
        metric(s('statOpen'), String(stats.counts.open), null, 'open');
        metric(
          s('statAverageRating'),
          stats.rating.average === null ? s('notAvailable') : stats.rating.average.toFixed(1) + ' / 5',
          fill(s('statRatings'), { count: stats.rating.count }),
          'rating',
        );
        metric(s('statOpenHandoffs'), String(stats.openHandOffs), null, 'handoffs');
        updateBadge(stats.openHandOffs);

        countTable($('top-errors'), s('topErrorsNone'), s('errorId'), s('count'), stats.topErrors, function (row) {
          return el('code', '', row.id);
        });
      })
      .catch(reportFailure);
  }
  // A two-column table of things and how often they came up, or a line saying there are none.
  function countTable(box, noneText, whatHeading, countHeading, rows, whatCell) {
    box.textContent = '';
    if (rows.length === 0) {
      box.appendChild(el('p', 'muted', noneText));
      return;
    }
    var wrap = el('div', 'table-wrap');
    var table = el('table');
    var head = el('tr');
    head.appendChild(el('th', '', whatHeading));
    head.appendChild(el('th', '', countHeading));
    table.appendChild(head);
    rows.forEach(function (row) {
      var tr = el('tr');
      tr.appendChild(el('td')).appendChild(whatCell(row));
      tr.appendChild(el('td', '', String(row.count)));
      table.appendChild(tr);
    });
    wrap.appendChild(table);
    box.appendChild(wrap);
  }
  // Messages the bot did not understand, newest first: what the training data should learn next.
  function loadNotUnderstood() {
    return api('GET', '/not-understood')
      .then(function (data) {
        countTable($('not-understood'), s('notUnderstoodNone'), s('messageText'), s('timesSent'), data.messages, function (row) {
          return document.createTextNode(row.text);
        });
      })
      .catch(reportFailure);
  }
  $('refresh-stats').addEventListener('click', loadNotUnderstood);
  $('refresh-stats').addEventListener('click', loadStats);

  // A reload keeps the call the agent was on, as long as the server still has it.
  var resumeId = null;
  try {
    resumeId = window.sessionStorage.getItem(SESSION_KEY);
  } catch (e) {
    resumeId = null;
  }
  if (resumeId) {
    api('GET', '/sessions/' + encodeURIComponent(resumeId))
      .then(renderSession)
      .catch(function () {
        showError('');
        try {
          window.sessionStorage.removeItem(SESSION_KEY);
        } catch (e) {
          /* nothing to forget */
        }
      });
  }

  // The badge shows waiting hand-offs from the start, whichever section is open.
  api('GET', '/cases')
    .then(function (data) {
      updateBadge(data.cases.length);
    })
    .catch(reportFailure);
})();

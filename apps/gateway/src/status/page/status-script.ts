/**
 * The status page's script (inlined, plain ES2017 for any browser): polls `<page>/snapshot` and `<page>/events`
 * every second and renders one card per key and the recent events. An admin token passed as `#token=...` in the
 * URL fragment (never sent to the server, so never in a log) is kept in sessionStorage and sent as a Bearer header.
 */
export const STATUS_SCRIPT = String.raw`
(function () {
  'use strict';
  var POLL_MS = 1000;
  var MAX_EVENTS = 50;
  var TOKEN_KEY = 'deepseek-pool-status-token';
  var STATES = ['ready', 'half-open', 'saturated', 'cooling', 'open', 'disabled'];
  var TONES = { 'key.disabled': 'bad', 'breaker.open': 'bad', 'key.cooldown': 'warn', 'breaker.half-open': 'warn', retry: 'warn', 'stream.continued': 'warn', 'key.enabled': 'good', 'breaker.close': 'good' };
  var base = location.pathname.replace(/\/+$/, '');
  var cards = new Map();
  var events = [];
  var lastSeq = 0;
  var clockOffsetMs = 0;
  var token = takeToken();

  function takeToken() {
    var match = /(?:^|&)token=([^&]+)/.exec(location.hash.slice(1));
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, '', location.pathname + location.search);
    }
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function getJson(path) {
    return fetch(base + path, { cache: 'no-store', headers: token ? { Authorization: 'Bearer ' + token } : {} }).then(function (response) {
      if (!response.ok) throw Object.assign(new Error('HTTP ' + response.status), { status: response.status });
      return response.json();
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function count(n) {
    if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M';
    if (n >= 1e3) return (n / 1e3).toFixed(1) + 'k';
    return String(n);
  }

  function duration(ms) {
    return ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(1) + ' s';
  }

  function percent(ratio) {
    return (ratio * 100).toFixed(ratio > 0 && ratio < 0.1 ? 1 : 0) + '%';
  }

  function clock(ms) {
    return new Date(ms).toLocaleTimeString([], { hour12: false });
  }

  function card(id) {
    var existing = cards.get(id);
    if (existing) return existing;
    var root = el('article', 'key');
    root.dataset.keyId = id;
    var header = el('header');
    header.append(el('h2', 'id', id));
    var fields = { root: root, state: el('span', 'badge state'), masked: el('div', 'masked'), note: el('p', 'note') };
    header.append(fields.state);
    var list = el('dl');
    [['inFlight', 'In flight'], ['latency', 'Latency'], ['errors', 'Errors'], ['breaker', 'Breaker'], ['prompt', 'Prompt tokens'], ['cached', 'Cache hits'], ['completion', 'Completion tokens']].forEach(function (row) {
      fields[row[0]] = el('dd', row[0]);
      list.append(el('dt', '', row[1]), fields[row[0]]);
    });
    root.append(header, fields.masked, list, fields.note);
    cards.set(id, fields);
    return fields;
  }

  function renderKey(key) {
    var fields = card(key.id);
    fields.root.dataset.state = key.state;
    fields.root.title = key.id + ': ' + key.state;
    fields.cooldownUntilMs = key.cooldownUntilMs;
    fields.disabledReason = key.disabledReason;
    fields.state.textContent = key.state;
    fields.masked.textContent = key.maskedKey + ' · ' + key.account;
    fields.inFlight.textContent = key.inFlight + (key.maxConcurrency === null ? '' : ' / ' + key.maxConcurrency);
    fields.latency.textContent = key.latencyEwmaMs > 0 ? duration(key.latencyEwmaMs) : '–';
    fields.errors.textContent = key.windowCalls > 0 ? percent(key.errorRate) + ' of ' + key.windowCalls : '–';
    fields.breaker.textContent = key.breaker;
    fields.prompt.textContent = count(key.tokens.prompt);
    fields.cached.textContent = key.tokens.prompt > 0 ? percent(key.tokens.cacheHit / key.tokens.prompt) : '–';
    fields.completion.textContent = count(key.tokens.completion) + (key.tokens.reasoning > 0 ? ' (' + count(key.tokens.reasoning) + ' reasoning)' : '');
    renderNote(fields);
    return fields.root;
  }

  function renderNote(fields) {
    var note = '';
    if (fields.disabledReason) note = 'Disabled: ' + fields.disabledReason;
    else if (fields.cooldownUntilMs) {
      var left = fields.cooldownUntilMs - (Date.now() + clockOffsetMs);
      if (left > 0) note = 'Cooling down: ' + (left / 1000).toFixed(1) + ' s left';
    }
    fields.note.textContent = note;
  }

  /** One row per client token: use against each limit, budgets with what is left. Names only, never a token. */
  function renderClients(clients) {
    document.getElementById('clients').hidden = clients.length === 0;
    document.getElementById('client-rows').replaceChildren.apply(document.getElementById('client-rows'), clients.map(function (client) {
      var row = el('tr');
      function used(limit, format) {
        var max = client.limits[limit];
        return format(client.used[limit]) + (max === undefined ? '' : ' / ' + format(max));
      }
      function usd(n) {
        return '$' + n.toFixed(n < 1 ? 4 : 2);
      }
      [client.name + (client.tenant ? ' (' + client.tenant + ')' : ''), used('requestsPerMinute', count), used('tokensPerMinute', count), used('tokensPerDay', count), used('usdPerDay', usd), used('usdPerMonth', usd)].forEach(function (text) {
        row.append(el('td', '', text));
      });
      return row;
    }));
  }

  function renderSnapshot(data) {
    renderClients(data.clients || []);
    clockOffsetMs = data.nowMs - Date.now();
    var pool = data.pool;
    document.getElementById('summary').textContent = pool.available + ' of ' + pool.total + ' keys available · strategy ' + pool.strategy;
    document.getElementById('mode').textContent = data.mode === 'demo' ? 'demo mode: simulated keys' : '';
    var seen = new Set();
    var container = document.getElementById('keys');
    pool.keys.forEach(function (key) {
      seen.add(key.id);
      container.append(renderKey(key));
    });
    cards.forEach(function (fields, id) {
      if (!seen.has(id)) {
        fields.root.remove();
        cards.delete(id);
      }
    });
  }

  function describe(event) {
    var d = event.data;
    switch (event.type) {
      case 'key.disabled': return d.keyId + ' disabled (' + d.reason + ')';
      case 'key.enabled': return d.keyId + ' enabled';
      case 'key.cooldown': return d.scope.replace(/^key:/, '').replace(/^account:/, 'account ') + ' cooling down for ' + duration(Math.max(0, d.untilMs - event.atMs)) + (d.consecutive > 1 ? ' (' + d.consecutive + ' in a row)' : '');
      case 'breaker.open': return 'breaker of ' + d.keyId + ' opened';
      case 'breaker.half-open': return 'breaker of ' + d.keyId + ' half-open';
      case 'breaker.close': return 'breaker of ' + d.keyId + ' closed';
      case 'retry': return d.fromKeyId + ' failed (' + d.reason + '), retried on another key';
      case 'stream.continued': return d.fromKeyId + ' broke mid-stream (' + d.reason + '), continued on ' + d.keyId + ' at character ' + d.offset;
      default: return event.type;
    }
  }

  function addEvents(batch) {
    if (batch.length === 0) return;
    lastSeq = batch[batch.length - 1].seq;
    batch.forEach(function (event) {
      events.unshift(event);
    });
    events.length = Math.min(events.length, MAX_EVENTS);
    var list = document.getElementById('events');
    list.replaceChildren.apply(list, events.map(function (event) {
      var item = el('li');
      item.dataset.type = event.type;
      item.dataset.tone = TONES[event.type] || '';
      var time = el('time', '', clock(event.atMs));
      time.dateTime = new Date(event.atMs).toISOString();
      item.append(time, el('span', '', describe(event)));
      return item;
    }));
  }

  function setLive(ok, detail) {
    var live = document.getElementById('live');
    live.dataset.live = ok ? 'yes' : 'no';
    live.textContent = ok ? 'live · updated ' + clock(Date.now()) : 'offline: ' + detail;
  }

  function poll() {
    Promise.all([getJson('/snapshot'), getJson('/events?after=' + lastSeq)])
      .then(function (answers) {
        renderSnapshot(answers[0]);
        addEvents(answers[1].events);
        document.getElementById('auth').hidden = true;
        setLive(true);
      })
      .catch(function (error) {
        if (error.status === 401) document.getElementById('auth').hidden = false;
        setLive(false, error.status === 401 ? 'admin token required' : error.message);
      })
      .then(function () {
        setTimeout(poll, POLL_MS);
      });
  }

  document.getElementById('auth').addEventListener('submit', function (submit) {
    submit.preventDefault();
    token = document.getElementById('token').value.trim();
    sessionStorage.setItem(TOKEN_KEY, token);
  });
  document.getElementById('legend').append.apply(document.getElementById('legend'), STATES.map(function (state) {
    var item = el('li', '', state);
    item.dataset.state = state;
    return item;
  }));
  setInterval(function () {
    cards.forEach(renderNote);
  }, 250);
  poll();
})();
`;

// The viewer's pages: the traces list (polling /api/traces), a trace (/api/traces/{id}, drawn with the
// trace report's TraceReportView), the functions (polling /api/functions). No library, no CDN.
var Viewer = (function () {
  var el = TraceReportView.el, ms = TraceReportView.ms;
  var palette = ['#54b399', '#6092c0', '#d36086', '#9170b8', '#ca8eae', '#d6bf57', '#b9a888', '#da8b45', '#aa6556', '#e7664c'];

  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
        return body;
      });
    });
  }
  function colorOf(service) {
    var h = 0;
    for (var i = 0; i < service.length; i++) h = (h * 31 + service.charCodeAt(i)) >>> 0;
    return palette[h % palette.length];
  }
  function chip(service) { var c = el('span', { 'class': 'chip' }, service); c.style.background = colorOf(service); return c; }
  function status(s) { return el('span', { 'class': 'status ' + s }, s); }
  function time(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function stamp(id, text) { document.getElementById(id).textContent = text; }

  // Traces: newest first, refreshed every 2 s; filters live in the URL so a link keeps them.
  function tracesPage() {
    var params = new URLSearchParams(location.search);
    var service = document.getElementById('service'), statusSel = document.getElementById('status');
    var search = document.getElementById('search'), body = document.getElementById('traces-body');
    var known = {};
    statusSel.value = params.get('status') || '';
    function remember(list) {
      list.forEach(function (s) {
        if (known[s]) return;
        known[s] = true;
        service.appendChild(el('option', { value: s }, s));
      });
    }
    if (params.get('service')) remember([params.get('service')]);
    service.value = params.get('service') || '';
    function syncUrl() {
      var q = new URLSearchParams();
      if (service.value) q.set('service', service.value);
      if (statusSel.value) q.set('status', statusSel.value);
      history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q : ''));
    }
    function draw(data) {
      remember(data.services);
      var needle = search.value.trim().toLowerCase();
      var rows = data.traces.filter(function (t) { return !needle || t.traceId.indexOf(needle) >= 0; });
      clear(body);
      rows.forEach(function (t) {
        var tr = el('tr', { 'class': 'trace-row', 'data-trace-id': t.traceId, 'data-status': t.status });
        tr.appendChild(el('td', { 'class': 'mono' }, time(t.start)));
        var root = el('td');
        root.appendChild(el('div', {}, t.rootName || '(no root)'));
        root.appendChild(el('div', { 'class': 'muted' }, (t.rootService || '') + ' · ' + t.traceId));
        tr.appendChild(root);
        var svc = el('td'); t.services.forEach(function (s) { svc.appendChild(chip(s)); }); tr.appendChild(svc);
        tr.appendChild(el('td', { 'class': 'num' }, String(t.spanCount)));
        tr.appendChild(el('td', { 'class': 'num' }, ms(t.durationUs)));
        var st = el('td'); st.appendChild(status(t.status));
        if (t.errorCount) st.appendChild(el('span', { 'class': 'flag' }, t.errorCount + (t.errorCount === 1 ? ' error' : ' errors')));
        if (t.anomalies.length) st.title = t.anomalies.join('\n');
        tr.appendChild(st);
        tr.addEventListener('click', function () { location.href = '/traces/' + t.traceId; });
        body.appendChild(tr);
      });
      document.getElementById('empty').style.display = rows.length ? 'none' : 'block';
      document.body.setAttribute('data-trace-count', String(rows.length));
      stamp('updated', 'updated ' + time(new Date().toISOString()) + ' · ' + rows.length + ' of ' + data.traces.length + ' traces');
    }
    function poll() {
      var q = new URLSearchParams({ limit: '50' });
      if (service.value) q.set('service', service.value);
      if (statusSel.value) q.set('status', statusSel.value);
      return getJson('/api/traces?' + q).then(draw, function (e) { stamp('updated', 'could not list traces: ' + e.message); });
    }
    [service, statusSel].forEach(function (s) { s.addEventListener('change', function () { syncUrl(); poll(); }); });
    search.addEventListener('input', poll);
    search.addEventListener('keydown', function (e) {
      var id = search.value.trim().toLowerCase();
      if (e.key === 'Enter' && /^[0-9a-f]{32}$/.test(id)) location.href = '/traces/' + id;
    });
    poll();
    setInterval(poll, 2000);
  }

  // One trace: the report's waterfall, map and services table, plus diagnosis, errors, logs and documents.
  function tracePage() {
    var traceId = decodeURIComponent(location.pathname.split('/').pop());
    stamp('trace-id', traceId);
    document.title = 'Trace ' + traceId;
    getJson('/api/traces/' + encodeURIComponent(traceId) + location.search).then(function (data) {
      var s = data.summary;
      var head = document.getElementById('summary');
      head.appendChild(status(s.status));
      head.appendChild(document.createTextNode('  ' + (s.rootService || '') + ' · ' + (s.rootName || '') + ' · ' + s.spanCount
          + ' spans · ' + ms(s.durationUs) + ' · started ' + new Date(s.start).toLocaleString()));
      var diag = document.getElementById('diagnosis');
      diag.textContent = data.diagnosis.lines.join('\n');
      diag.className = 'diagnosis' + (data.diagnosis.clean ? ' clean' : '');
      var anomalies = document.getElementById('anomalies');
      data.anomalies.forEach(function (a) { anomalies.appendChild(el('div', { 'class': 'anomaly' }, a.description)); });
      if (!data.anomalies.length) anomalies.appendChild(el('div', { 'class': 'muted' }, 'None: one root, no orphan, every child within its parent.'));

      var wf = document.getElementById('waterfall');
      var rows = TraceReportView.waterfall(data.report, wf);
      TraceReportView.serviceMap(data.report, document.getElementById('map'));
      TraceReportView.servicesTable(data.report, document.getElementById('services'));
      wf.querySelectorAll('.wf-row').forEach(function (row) {
        row.addEventListener('click', function () { showSpan(traceId, row, wf); });
      });
      errors(data.errors);
      logs(data.logs);
      document.body.setAttribute('data-rendered-spans', String(rows));
      document.body.setAttribute('data-span-count', String(s.spanCount));
    }, function (e) {
      document.getElementById('summary').appendChild(el('span', { 'class': 'error-text', id: 'load-error' }, e.message));
      document.body.setAttribute('data-rendered-spans', '0');
    });
  }
  function showSpan(traceId, row, wf) {
    wf.querySelectorAll('.wf-row.selected').forEach(function (r) { r.classList.remove('selected'); });
    row.classList.add('selected');
    var pre = document.getElementById('span-doc');
    pre.textContent = 'loading span ' + row.getAttribute('data-span-id') + ' …';
    getJson('/api/traces/' + traceId + '/spans/' + row.getAttribute('data-span-id')).then(function (d) {
      stamp('span-title', 'Document of span ' + d.spanId + (d.documents.length > 1 ? ' (' + d.documents.length + ' documents share this id)' : ''));
      pre.textContent = d.documents.map(function (doc) { return JSON.stringify(doc, null, 2); }).join('\n\n');
      pre.setAttribute('data-span-id', d.spanId);
    }, function (e) { pre.textContent = e.message; });
  }
  function errors(list) {
    var box = document.getElementById('errors');
    if (!list.length) { box.appendChild(el('div', { 'class': 'muted' }, 'No error document carries this trace id.')); return; }
    var t = el('table', { id: 'errors-table' });
    var h = el('tr'); ['Time', 'Service', 'In', 'Type', 'Message'].forEach(function (x) { h.appendChild(el('th', {}, x)); }); t.appendChild(h);
    list.forEach(function (e) {
      var tr = el('tr');
      [time(e.timestamp), e.service, e.in || e.parentId || '', e.type || '', e.message || ''].forEach(function (x) { tr.appendChild(el('td', {}, x)); });
      t.appendChild(tr);
    });
    box.appendChild(t);
  }
  function logs(list) {
    var box = document.getElementById('logs');
    if (!list.length) { box.appendChild(el('div', { 'class': 'muted' }, 'No log record in logs-* carries this trace id or was written in its invocations.')); return; }
    var t = el('table', { id: 'logs-table' });
    var h = el('tr'); ['Time', 'Service', 'Level', 'Message', 'Data stream', 'Linked by'].forEach(function (x) { h.appendChild(el('th', {}, x)); }); t.appendChild(h);
    list.forEach(function (l) {
      var tr = el('tr', { 'class': 'log-row' });
      // REQUEST_ID: the line carries no trace id, so Kibana will not show it with the trace
      var linked = l.link === 'REQUEST_ID' ? 'request id ' + (l.requestId || '') + ' (no trace id)' : 'trace id';
      [time(l.timestamp), l.service || '', l.level || '', l.message || '', l.dataStream || '', linked].forEach(function (x) { tr.appendChild(el('td', {}, x)); });
      t.appendChild(tr);
    });
    box.appendChild(t);
  }

  // Functions: what the embedded Lambda service holds, refreshed every 3 s.
  function functionsPage() {
    var box = document.getElementById('functions');
    var open = {};
    function draw(data) {
      document.querySelectorAll('details.logs').forEach(function (d) { open[d.getAttribute('data-fn')] = d.open; });
      clear(box);
      if (!data.available) { box.appendChild(el('div', { 'class': 'empty' }, data.reason)); return; }
      if (!data.functions.length) { box.appendChild(el('div', { 'class': 'empty' }, 'No function is deployed.')); return; }
      data.functions.forEach(function (f) {
        var card = el('section', { 'class': 'panel fn', 'data-function': f.name });
        card.appendChild(el('h2', {}, f.name));
        var kv = el('div', { 'class': 'kv' });
        [['runtime', f.runtime], ['handler', f.handler], ['memory', f.memoryMb + ' MB'], ['timeout', (f.timeoutMs / 1000) + ' s'],
          ['tracing', f.tracingMode], ['state', f.state], ['invocations', f.invocations], ['cold starts', f.coldStarts],
          ['errors', f.errors]].forEach(function (p) {
          var s = el('span'); s.appendChild(el('b', {}, p[0])); s.appendChild(document.createTextNode(String(p[1]))); kv.appendChild(s);
        });
        card.appendChild(kv);
        if (f.layers.length) card.appendChild(el('div', { 'class': 'muted' }, 'layers: ' + f.layers.join(', ')));
        var routes = el('table', { 'class': 'routes' });
        var rh = el('tr'); ['Method', 'Route', 'URL'].forEach(function (x) { rh.appendChild(el('th', {}, x)); }); routes.appendChild(rh);
        f.routes.forEach(function (r) {
          var tr = el('tr', { 'class': 'route-row' });
          tr.appendChild(el('td', {}, r.method)); tr.appendChild(el('td', { 'class': 'mono' }, r.path)); tr.appendChild(el('td', { 'class': 'mono' }, r.url));
          routes.appendChild(tr);
        });
        if (!f.routes.length) routes.appendChild(el('tr', {}, '')).appendChild(el('td', { colspan: '3', 'class': 'muted' }, 'No API Gateway route.'));
        card.appendChild(el('h3', {}, 'Routes')); card.appendChild(routes);
        var envs = el('table', { 'class': 'environments' });
        var eh = el('tr'); ['Execution environment', 'State', 'Invocations', 'Init (cold start)', 'Last invocation'].forEach(function (x) { eh.appendChild(el('th', {}, x)); }); envs.appendChild(eh);
        f.environments.forEach(function (e) {
          var tr = el('tr', { 'class': 'env-row' });
          [e.id, e.state, String(e.invocations), e.initMs == null ? '' : e.initMs.toFixed(1) + ' ms', time(e.lastInvocation)].forEach(function (x, i) {
            tr.appendChild(el('td', { 'class': i === 0 ? 'mono' : '' }, x));
          });
          envs.appendChild(tr);
        });
        if (!f.environments.length) envs.appendChild(el('tr')).appendChild(el('td', { colspan: '5', 'class': 'muted' }, 'None running: the next invocation is a cold start.'));
        card.appendChild(el('h3', {}, 'Execution environments')); card.appendChild(envs);
        var det = el('details', { 'class': 'logs', 'data-fn': f.name });
        if (open[f.name] !== false) det.open = true;
        det.appendChild(el('summary', {}, 'Log tail (' + f.logFile + ')'));
        var pre = el('pre', { 'class': 'log' }, f.logTail || '(no log yet)');
        det.appendChild(pre);
        card.appendChild(det);
        box.appendChild(card);
        pre.scrollTop = pre.scrollHeight;
      });
      document.body.setAttribute('data-function-count', String(data.functions.length));
      stamp('updated', 'updated ' + time(new Date().toISOString()));
    }
    function poll() { return getJson('/api/functions').then(draw, function (e) { stamp('updated', 'could not read functions: ' + e.message); }); }
    poll();
    setInterval(poll, 3000);
  }

  return { tracesPage: tracesPage, tracePage: tracePage, functionsPage: functionsPage };
})();

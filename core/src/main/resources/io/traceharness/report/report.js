// Draws a trace report's data (TraceReport's JSON): the waterfall as Kibana's trace view draws it, the
// service map and the services table. Used inline by the HTML report and served by the trace viewer.
var TraceReportView = (function () {
  var palette = ['#54b399', '#6092c0', '#d36086', '#9170b8', '#ca8eae', '#d6bf57', '#b9a888', '#da8b45', '#aa6556', '#e7664c'];
  function colorsOf(data) {
    var colors = {};
    data.services.forEach(function (s, i) { colors[s.name] = palette[i % palette.length]; });
    return colors;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function ms(us) { return us >= 1000 ? (us / 1000).toFixed(us >= 100000 ? 0 : 1) + ' ms' : us + ' µs'; }

  /** One row (.wf-row, data-span-id) per span in tree order; returns the number of rows. */
  function waterfall(data, container) {
    var colors = colorsOf(data);
    // Waterfall, as Kibana's trace view: one row per span in tree order, bars on a shared time axis.
    var wf = container;
    var t0 = Infinity, t1 = -Infinity;
    data.spans.forEach(function (s) { t0 = Math.min(t0, s.startUs); t1 = Math.max(t1, s.startUs + s.durationUs); });
    var total = Math.max(1, t1 - t0);
    var axis = el('div', { 'class': 'axis' });
    for (var i = 0; i <= 4; i++) {
      var tick = el('span', {}, ms(Math.round(total * i / 4)));
      tick.style.left = (i * 25) + '%';
      if (i === 0) tick.style.transform = 'none';
      if (i === 4) tick.style.transform = 'translateX(-100%)';
      axis.appendChild(tick);
    }
    wf.appendChild(axis);
    data.spans.forEach(function (s) {
      var row = el('div', { 'class': 'row wf-row', 'data-span-id': s.id, title: s.service + ' · ' + s.name + ' · ' + ms(s.durationUs) + '\nspan.id ' + s.id + (s.parentId ? '\nparent.id ' + s.parentId : '') });
      var label = el('div', { 'class': 'label' });
      label.style.paddingLeft = (s.depth * 16) + 'px';
      var chip = el('span', { 'class': 'svc' }); chip.style.background = colors[s.service] || '#999';
      label.appendChild(chip);
      label.appendChild(document.createTextNode(s.name));
      label.appendChild(el('span', { 'class': 'kind' }, s.service + ' · ' + s.event + (s.type ? ' · ' + s.type : '')));
      (s.flags || []).forEach(function (f) { label.appendChild(el('span', { 'class': 'flag' }, f)); });
      row.appendChild(label);
      var lane = el('div', { 'class': 'lane' });
      var bar = el('div', { 'class': 'bar ' + s.event + (s.outcome === 'failure' ? ' failure' : '') });
      var left = (s.startUs - t0) / total * 100, width = s.durationUs / total * 100;
      bar.style.left = left + '%'; bar.style.width = width + '%';
      bar.style.background = colors[s.service] || '#999';
      lane.appendChild(bar);
      var dur = el('span', { 'class': 'dur' }, ms(s.durationUs));
      if (left + width <= 85) {
        dur.style.left = (left + width) + '%';
      } else if (left >= 12) {
        // no room after the bar: write the duration before it
        dur.style.right = (100 - left) + '%';
        dur.style.paddingRight = '4px';
      } else {
        // a bar across the lane: write the duration inside its end
        dur.style.right = Math.max(0, 100 - left - width) + '%';
        dur.style.paddingRight = '4px';
        dur.style.color = '#fff';
      }
      lane.appendChild(dur);
      row.appendChild(lane);
      wf.appendChild(row);
    });

    return wf.querySelectorAll('.wf-row').length;
  }

  /** An SVG (#service-map) with a .map-node per service and a .map-edge per call; returns the svg. */
  function serviceMap(data, container) {
    var colors = colorsOf(data);
    // Service map: services as nodes laid out by the depth at which they first appear, calls as edges.
    var map = container;
    var NS = 'http://www.w3.org/2000/svg';
    var level = {};
    data.services.forEach(function (s) { level[s.name] = s.level; });
    var columns = {};
    data.services.forEach(function (s) { (columns[s.level] = columns[s.level] || []).push(s.name); });
    var maxLevel = Math.max.apply(null, data.services.map(function (s) { return s.level; }).concat([0]));
    var width = Math.max(480, (maxLevel + 1) * 220), height = 60 + 90 * Math.max.apply(null, Object.keys(columns).map(function (k) { return columns[k].length; }).concat([1]));
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('width', width); svg.setAttribute('height', height); svg.setAttribute('id', 'service-map');
    var defs = document.createElementNS(NS, 'defs');
    defs.innerHTML = '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#98a2b3"/></marker>';
    svg.appendChild(defs);
    var pos = {};
    Object.keys(columns).forEach(function (lv) {
      columns[lv].forEach(function (name, i) {
        pos[name] = { x: 90 + lv * 220, y: (height / (columns[lv].length + 1)) * (i + 1) };
      });
    });
    data.edges.forEach(function (e) {
      var a = pos[e.from], b = pos[e.to];
      if (!a || !b) return;
      var line = document.createElementNS(NS, 'line');
      var dx = b.x - a.x, dy = b.y - a.y, len = Math.max(1, Math.sqrt(dx * dx + dy * dy));
      line.setAttribute('x1', a.x + dx / len * 34); line.setAttribute('y1', a.y + dy / len * 34);
      line.setAttribute('x2', b.x - dx / len * 38); line.setAttribute('y2', b.y - dy / len * 38);
      line.setAttribute('stroke', e.broken ? '#bd271e' : '#98a2b3'); line.setAttribute('stroke-width', '2');
      if (e.broken) line.setAttribute('stroke-dasharray', '6 4');
      line.setAttribute('marker-end', 'url(#arrow)');
      line.setAttribute('class', 'map-edge');
      svg.appendChild(line);
      var label = document.createElementNS(NS, 'text');
      label.setAttribute('x', (a.x + b.x) / 2); label.setAttribute('y', (a.y + b.y) / 2 - 6);
      label.setAttribute('text-anchor', 'middle'); label.setAttribute('fill', '#69707d');
      label.textContent = e.calls + (e.calls === 1 ? ' call' : ' calls');
      svg.appendChild(label);
    });
    data.services.forEach(function (s) {
      var p = pos[s.name];
      var g = document.createElementNS(NS, 'g');
      g.setAttribute('class', 'map-node'); g.setAttribute('data-service', s.name);
      var c = document.createElementNS(NS, 'circle');
      c.setAttribute('cx', p.x); c.setAttribute('cy', p.y); c.setAttribute('r', 30);
      c.setAttribute('fill', '#fff'); c.setAttribute('stroke', colors[s.name]); c.setAttribute('stroke-width', '4');
      g.appendChild(c);
      var t = document.createElementNS(NS, 'text');
      t.setAttribute('x', p.x); t.setAttribute('y', p.y + 48); t.setAttribute('text-anchor', 'middle');
      t.textContent = s.name;
      g.appendChild(t);
      var a = document.createElementNS(NS, 'text');
      a.setAttribute('x', p.x); a.setAttribute('y', p.y + 4); a.setAttribute('text-anchor', 'middle'); a.setAttribute('fill', '#69707d');
      a.textContent = s.agent ? s.agent.split('/').pop() : '';
      g.appendChild(a);
      svg.appendChild(g);
    });
    map.appendChild(svg);

    return svg;
  }

  /** The services table (#services-table). */
  function servicesTable(data, container) {
    // Services table: what Kibana's services view shows for this trace.
    var table = el('table', { id: 'services-table' });
    var head = el('tr');
    ['Service', 'Agent', 'Transactions', 'Spans', 'Latency (avg)', 'Latency (max)', 'Failed'].forEach(function (h, i) {
      head.appendChild(el('th', { 'class': i >= 2 ? 'num' : '' }, h));
    });
    table.appendChild(head);
    data.services.forEach(function (s) {
      var tr = el('tr', { 'class': 'svc-row' });
      tr.appendChild(el('td', {}, s.name));
      tr.appendChild(el('td', {}, s.agent || ''));
      tr.appendChild(el('td', { 'class': 'num' }, String(s.transactions)));
      tr.appendChild(el('td', { 'class': 'num' }, String(s.spans)));
      tr.appendChild(el('td', { 'class': 'num' }, ms(s.avgUs)));
      tr.appendChild(el('td', { 'class': 'num' }, ms(s.maxUs)));
      tr.appendChild(el('td', { 'class': 'num' }, String(s.failed)));
      table.appendChild(tr);
    });
    container.appendChild(table);

  }

  return { waterfall: waterfall, serviceMap: serviceMap, servicesTable: servicesTable, colors: colorsOf, ms: ms, el: el };
})();

/**
 * The preview page's script (plain browser JavaScript, served as /preview.js). It draws each JPEG frame on a canvas
 * with the faces of its description over it: box (green once confirmed, dashed while coasting), track id, smoothed
 * emotion, and a bar per emotion; it lists events and shows the stats. A click on the frame freezes it (and again
 * resumes). What it drew is kept in `window.ferPreview`, for tests and for anyone debugging in the browser's console.
 */
export const PREVIEW_PAGE_SCRIPT: string = `(function () {
  'use strict';
  var CONFIRMED = '#33ff66';
  var TENTATIVE = '#ffcc00';
  var MAX_EVENTS = 200;
  var canvas = document.getElementById('frame');
  var context = canvas.getContext('2d');
  var statusLine = document.getElementById('status');
  var state = { connected: false, paused: false, framesDrawn: 0, lastFrame: null, events: 0, statsUpdates: 0, lastStats: null };
  window.ferPreview = state;
  var token = new URLSearchParams(location.search).get('token');
  var described = null;
  var drawing = false;
  var waiting = null;

  function connect() {
    var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    var socket = new WebSocket(scheme + location.host + '/ws' + (token ? '?token=' + encodeURIComponent(token) : ''));
    socket.binaryType = 'blob';
    socket.onopen = function () {
      state.connected = true;
      setStatus('live', true);
    };
    socket.onmessage = function (message) {
      if (typeof message.data === 'string') return receive(JSON.parse(message.data));
      if (described) show(described, message.data);
      described = null;
    };
    socket.onclose = function (closing) {
      state.connected = false;
      setStatus(closing.code === 1001 ? 'the pipeline stopped; reconnecting…' : 'disconnected; reconnecting…', false);
      setTimeout(connect, 2000);
    };
  }

  function setStatus(text, live) {
    statusLine.textContent = text;
    statusLine.className = live ? 'live' : '';
  }

  function receive(message) {
    if (message.type === 'hello') document.getElementById('source').textContent = message.title;
    else if (message.type === 'frame') described = message;
    else if (message.type === 'event') addEvent(message.event);
    else if (message.type === 'events') message.events.forEach(addEvent);
    else if (message.type === 'stats') showStats(message.stats);
  }

  // The newest frame wins: one decodes at a time, and a frame arriving meanwhile replaces the one waiting.
  function show(description, jpeg) {
    if (state.paused) return;
    if (drawing) {
      waiting = [description, jpeg];
      return;
    }
    drawing = true;
    createImageBitmap(jpeg)
      .then(function (image) {
        draw(description, image);
        image.close();
      })
      .catch(function () {})
      .then(function () {
        drawing = false;
        var next = waiting;
        waiting = null;
        if (next) show(next[0], next[1]);
      });
  }

  function draw(description, image) {
    if (state.paused) return;
    if (canvas.width !== description.width || canvas.height !== description.height) {
      canvas.width = description.width;
      canvas.height = description.height;
    }
    context.drawImage(image, 0, 0, description.width, description.height);
    var faces = description.faces.map(function (face) {
      return drawFace(face, description.width, description.height);
    });
    state.framesDrawn++;
    state.lastFrame = { seq: description.seq, faces: faces };
    document.getElementById('frame-info').textContent =
      'frame ' + description.seq + ' · ' + faces.length + (faces.length === 1 ? ' face' : ' faces') + (description.detected ? ' · detector ran' : ' · tracked');
  }

  function drawFace(face, width, height) {
    var x = Math.round(face.box.x);
    var y = Math.round(face.box.y);
    var w = Math.round(face.box.width);
    var h = Math.round(face.box.height);
    var colour = face.confirmed ? CONFIRMED : TENTATIVE;
    context.lineWidth = 3;
    context.strokeStyle = colour;
    context.setLineDash(face.visible ? [] : [8, 6]);
    context.strokeRect(x + 0.5, y + 0.5, w, h);
    context.setLineDash([]);
    var label = '#' + face.id + (face.emotion ? ' ' + face.emotion + ' ' + Math.round(face.confidence * 100) + '%' : face.confirmed ? '' : ' ?');
    context.font = 'bold 14px system-ui, sans-serif';
    var labelWidth = Math.ceil(context.measureText(label).width) + 8;
    var labelY = y >= 20 ? y - 20 : y + h + 2;
    context.fillStyle = colour;
    context.fillRect(x - 1, labelY, labelWidth, 19);
    context.fillStyle = '#000';
    context.textBaseline = 'middle';
    context.fillText(label, x + 3, labelY + 10);
    if (face.probabilities) drawBars(face, x, y, w, width, height);
    return { id: face.id, x: x, y: y, width: w, height: h, colour: colour, label: label, visible: face.visible, emotion: face.emotion || null };
  }

  // One bar per emotion beside the box (right, else left), the smoothed probabilities; the dominant one highlighted.
  function drawBars(face, x, y, w, width, height) {
    var names = Object.keys(face.probabilities);
    var panelWidth = 130;
    var row = 13;
    var panelHeight = names.length * row + 6;
    var left = x + w + 6 + panelWidth <= width ? x + w + 6 : Math.max(0, x - 6 - panelWidth);
    var top = Math.max(0, Math.min(y, height - panelHeight));
    context.fillStyle = 'rgba(0, 0, 0, 0.6)';
    context.fillRect(left, top, panelWidth, panelHeight);
    context.font = '11px system-ui, sans-serif';
    context.textBaseline = 'middle';
    names.forEach(function (name, i) {
      var p = face.probabilities[name];
      var rowY = top + 3 + i * row;
      context.fillStyle = name === face.emotion ? CONFIRMED : '#8ab';
      context.fillRect(left + 58, rowY + 2, Math.max(1, Math.round(p * 66)), row - 4);
      context.fillStyle = '#fff';
      context.fillText(name, left + 4, rowY + row / 2);
    });
  }

  function addEvent(event) {
    var item = document.createElement('li');
    item.className = event.type;
    item.textContent =
      new Date(event.ts).toISOString().slice(11, 23) + ' #' + event.face_id + ' ' + event.type + ' ' + event.emotion + ' ' + Math.round(event.confidence * 100) + '% (frame ' + event.frame_seq + ')';
    var list = document.getElementById('events');
    list.insertBefore(item, list.firstChild);
    while (list.children.length > MAX_EVENTS) list.removeChild(list.lastChild);
    state.events++;
  }

  function showStats(stats) {
    var latency = stats.latency_ms || {};
    var ms = function (name, key) {
      return latency[name] ? latency[name][key].toFixed(1) + ' ms' : '–';
    };
    var rows = [
      ['frames/s', stats.fps.toFixed(1)],
      ['frames processed', stats.frames],
      ['frames dropped', stats.dropped_frames],
      ['faces', stats.faces],
      ['per frame p50 / p95', ms('total', 'p50') + ' / ' + ms('total', 'p95')],
      ['detect p50', ms('detect', 'p50')],
      ['classify p50', ms('classify', 'p50')],
      ['source', stats.source.status + (stats.source.reconnects ? ', ' + stats.source.reconnects + ' reconnects' : '')],
      ['uptime', stats.uptime_s + ' s'],
    ];
    if (stats.mqtt) rows.push(['MQTT', (stats.mqtt.connected ? 'connected' : 'not connected') + ', ' + stats.mqtt.queued + ' queued']);
    if (stats.preview) rows.push(['preview viewers', stats.preview.viewers], ['frames encoded', stats.preview.encoded_frames]);
    var body = document.querySelector('#stats tbody');
    body.textContent = '';
    rows.forEach(function (cells) {
      var tr = document.createElement('tr');
      cells.forEach(function (cell) {
        var td = document.createElement('td');
        td.textContent = String(cell);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    document.getElementById('stats-time').textContent = new Date(stats.ts).toLocaleTimeString();
    state.statsUpdates++;
    state.lastStats = stats;
  }

  canvas.addEventListener('click', function () {
    state.paused = !state.paused;
    if (state.paused) document.getElementById('frame-info').textContent += ' · frozen (click to resume)';
  });

  connect();
})();
`;

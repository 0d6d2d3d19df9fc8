/*
 * The agents' live inbox: conversations the bot handed over, taken one at a time, with the
 * transcript streamed as server-sent events (read with fetch: EventSource cannot send the
 * bearer), replies, quick actions and closing; and the CSAT results. An open stream also tells
 * the server the agent is online and keeps their hold on the conversation.
 */
(function () {
  'use strict';

  var API = '/api/backoffice';
  var SESSION_KEY = 'pqr-backoffice-session';
  var CHANNELS = { whatsapp: 'WhatsApp', telegram: 'Telegram', webchat: 'Web chat' };
  var FROM = { user: 'Usuario', agent: 'Asesor', bot: 'Bot' };
  var ERRORS = {
    held_by_another: 'Otro agente ya tomó esta conversación.',
    closed: 'La conversación ya terminó.',
    not_holding: 'Toma la conversación antes de responder.',
    customer_required: 'El usuario aún no está identificado: indica su marca y línea, o sus datos de no cliente.',
    unknown_brand: 'Esa marca no existe.',
    bad_request: 'Revisa los datos e inténtalo de nuevo.',
    network: 'No hay conexión con el servidor.',
  };

  var $ = function (id) {
    return document.getElementById(id);
  };
  var timeFormat = new Intl.DateTimeFormat('es-CO', { timeZone: 'America/Bogota', hour: 'numeric', minute: '2-digit' });
  var current = { id: null, stream: null, lastId: 0 };
  var inboxStream = null;

  function session() {
    try {
      return JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    } catch (ignored) {
      return null;
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function say(node, text) {
    node.textContent = text || '';
    node.hidden = !text;
  }

  function request(method, path, body) {
    var s = session();
    var headers = { Accept: 'application/json', Authorization: 'Bearer ' + (s && s.token) };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(API + path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .catch(function () {
        throw { code: 'network' };
      })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (payload) {
          if (response.ok) return payload;
          throw (payload && payload.error) || { code: 'http_' + response.status };
        });
      });
  }

  function errorText(error) {
    return ERRORS[error && error.code] || (error && error.message) || 'No se pudo completar la acción.';
  }

  /** A server-sent event stream over fetch; `onEvent(name, data)` per event. Returns a stopper. */
  function openStream(path, onEvent, onEnd) {
    var controller = new AbortController();
    var s = session();
    fetch(API + path, { headers: { Accept: 'text/event-stream', Authorization: 'Bearer ' + (s && s.token) }, signal: controller.signal })
      .then(function (response) {
        if (!response.ok || !response.body) throw new Error('stream refused');
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = '';
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) return;
            buffer += decoder.decode(chunk.value, { stream: true });
            var end;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              var block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              var name = /^event: (.*)$/m.exec(block);
              var data = /^data: (.*)$/m.exec(block);
              if (name && data) onEvent(name[1], JSON.parse(data[1]));
            }
            return pump();
          });
        }
        return pump();
      })
      .catch(function () {
        // Aborted, or the connection dropped.
      })
      .then(function () {
        if (!controller.signal.aborted && onEnd) onEnd();
      });
    return function () {
      controller.abort();
    };
  }

  function minutesSince(iso) {
    return Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 60000));
  }

  // ---- queue ---------------------------------------------------------------------------------

  function loadLists() {
    return Promise.all([request('GET', '/handoffs?state=waiting'), request('GET', '/handoffs?state=held')])
      .then(function (lists) {
        renderList($('inbox-waiting'), lists[0].items, true);
        var me = session();
        var mine = lists[1].items.filter(function (item) { return me && me.agent && item.heldBy === 'agent:' + me.agent.id; });
        renderList($('inbox-mine'), mine, false);
        say($('inbox-error'), '');
      })
      .catch(function (error) {
        say($('inbox-error'), errorText(error));
      });
  }

  function renderList(list, items, waiting) {
    list.textContent = '';
    if (!items.length) list.appendChild(el('li', 'muted', waiting ? 'Nadie esperando.' : 'Ninguna conversación tuya abierta.'));
    items.forEach(function (item) {
      var row = el('li', 'inbox__item');
      var head = el('p', 'inbox__meta');
      head.appendChild(el('strong', null, CHANNELS[item.channel] || item.channel.replace(/^botframework:/, 'Bot Framework · ')));
      head.appendChild(document.createTextNode(' · ' + (item.kind === 'callback' ? 'pide que lo contacten' : 'en el chat') + ' · espera ' + minutesSince(item.waitingSince) + ' min'));
      row.appendChild(head);
      row.appendChild(el('p', 'inbox__summary', item.summary));
      var button = el('button', 'button', waiting ? 'Tomar' : 'Abrir');
      button.type = 'button';
      button.setAttribute('data-handoff', String(item.id));
      button.addEventListener('click', function () {
        (waiting ? take(item.id) : Promise.resolve()).then(function (ok) {
          if (ok !== false) openConversation(item.id);
        });
      });
      row.appendChild(button);
      list.appendChild(row);
    });
  }

  function take(id) {
    return request('POST', '/handoffs/' + id + '/take').then(
      function () {
        return true;
      },
      function (error) {
        say($('inbox-error'), errorText(error));
        loadLists();
        return false;
      },
    );
  }

  // ---- one conversation ----------------------------------------------------------------------

  function openConversation(id) {
    if (current.stream) current.stream();
    current = { id: id, stream: null, lastId: 0 };
    $('inbox-transcript').textContent = '';
    $('inbox-pqrs').textContent = '';
    say($('inbox-chat-error'), '');
    say($('inbox-chat-notice'), '');
    $('inbox-chat').hidden = false;
    $('inbox-chat-title').textContent = 'Conversación #' + id;
    current.stream = openStream('/handoffs/' + id + '/events', function (name, data) {
      if (name === 'message' && data.id > current.lastId) {
        current.lastId = data.id;
        var line = el('li', 'inbox__line inbox__line--' + data.from);
        line.appendChild(el('span', 'inbox__who', FROM[data.from] + ' · ' + timeFormat.format(new Date(data.at))));
        line.appendChild(el('p', null, data.text));
        $('inbox-transcript').appendChild(line);
        line.scrollIntoView({ block: 'nearest' });
      } else if (name === 'state') {
        $('inbox-chat-state').textContent = data.state === 'closed' ? 'Cerrada' : data.state === 'held' ? 'En curso' : 'En espera';
        $('inbox-reply').hidden = data.state === 'closed';
        $('inbox-actions').hidden = data.state === 'closed';
      }
    });
    $('inbox-reply-text').focus();
  }

  $('inbox-reply').addEventListener('submit', function (event) {
    event.preventDefault();
    var field = $('inbox-reply-text');
    if (!field.value.trim()) return;
    request('POST', '/handoffs/' + current.id + '/messages', { text: field.value }).then(
      function () {
        field.value = '';
        say($('inbox-chat-error'), '');
      },
      function (error) {
        say($('inbox-chat-error'), errorText(error));
      },
    );
  });

  $('inbox-lookup').addEventListener('click', function () {
    request('GET', '/handoffs/' + current.id + '/pqrs').then(
      function (result) {
        var list = $('inbox-pqrs');
        list.textContent = '';
        if (!result.items.length) list.appendChild(el('li', 'muted', 'No tiene PQR abiertas.'));
        result.items.forEach(function (p) {
          list.appendChild(el('li', null, p.cun + ' · ' + p.type + ' · ' + p.status));
        });
      },
      function (error) {
        say($('inbox-chat-error'), errorText(error));
      },
    );
  });

  $('inbox-file').addEventListener('submit', function (event) {
    event.preventDefault();
    var form = event.target;
    var body = { type: form.elements.type.value, description: form.elements.description.value };
    if (form.elements.line.value.trim()) body.customer = { kind: 'subscriber', brandId: form.elements.brand.value, line: form.elements.line.value };
    request('POST', '/handoffs/' + current.id + '/pqrs', body).then(
      function (filed) {
        form.reset();
        say($('inbox-chat-notice'), 'PQR radicada: ' + filed.cun + '. El usuario recibió el CUN en el chat.');
        say($('inbox-chat-error'), '');
      },
      function (error) {
        say($('inbox-chat-error'), errorText(error));
      },
    );
  });

  $('inbox-close').addEventListener('submit', function (event) {
    event.preventDefault();
    var note = event.target.elements.note.value;
    request('POST', '/handoffs/' + current.id + '/close', { note: note }).then(
      function () {
        event.target.reset();
        say($('inbox-chat-notice'), 'Conversación cerrada. El bot retoma la atención y pide la calificación.');
        loadLists();
      },
      function (error) {
        say($('inbox-chat-error'), errorText(error));
      },
    );
  });

  // ---- ratings -------------------------------------------------------------------------------

  $('inbox-ratings-load').addEventListener('click', function () {
    request('GET', '/ratings').then(
      function (result) {
        var table = $('inbox-ratings');
        table.textContent = '';
        var groups = [['Por agente', result.summary.byAgent], ['Por canal', result.summary.byChannel], ['Por tipo', result.summary.bySubject]];
        groups.forEach(function (group) {
          group[1].forEach(function (g) {
            var row = el('tr');
            row.appendChild(el('td', null, group[0]));
            row.appendChild(el('td', null, g.name || CHANNELS[g.key] || (g.key === 'answer' ? 'Respuesta a PQR' : g.key === 'handoff' ? 'Conversación con asesor' : g.key === 'none' ? '—' : 'Agente ' + g.key)));
            row.appendChild(el('td', null, String(g.average)));
            row.appendChild(el('td', null, String(g.count)));
            table.appendChild(row);
          });
        });
        $('inbox-ratings-wrap').hidden = false;
      },
      function (error) {
        say($('inbox-error'), errorText(error));
      },
    );
  });

  // ---- start and stop with the session ---------------------------------------------------------

  function loadBrands() {
    var select = $('inbox-file-brand');
    if (select.options.length) return;
    request('GET', '/options').then(function (options) {
      options.brands.forEach(function (brand) {
        var option = el('option', null, brand.name);
        option.value = brand.id;
        select.appendChild(option);
      });
    }, function () {
      // Filing for a known user needs no brand.
    });
  }

  function start() {
    if (inboxStream || !session()) return;
    $('inbox').hidden = false;
    loadBrands();
    inboxStream = openStream('/inbox/events', function (name) {
      if (name === 'queue') loadLists();
    }, function () {
      inboxStream = null;
      // The server went away (a restart): reconnect once the page is still signed in.
      setTimeout(function () {
        if (!$('workspace').hidden) start();
      }, 3000);
    });
  }

  function stop() {
    if (inboxStream) inboxStream();
    inboxStream = null;
    if (current.stream) current.stream();
    current = { id: null, stream: null, lastId: 0 };
    $('inbox').hidden = true;
  }

  // app.js shows the workspace on sign-in and hides it on sign-out.
  new MutationObserver(function () {
    if ($('workspace').hidden) stop();
    else start();
  }).observe($('workspace'), { attributes: true, attributeFilter: ['hidden'] });
  if (!$('workspace').hidden) start();
})();

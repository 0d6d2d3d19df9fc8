/* The agents' back office: sign-in, queue, case view and actions, over /api/backoffice. */
(function () {
  'use strict';

  var API = '/api/backoffice';
  var SESSION_KEY = 'pqr-backoffice-session';
  var OPEN_STATUSES = ['radicada', 'en_tramite', 'respondida', 'recurso_interpuesto', 'reposicion_decidida', 'trasladada_sic'];
  var L = window.BO_LABELS;

  /** What an API error means for the agent, by its code. */
  var ERRORS = {
    invalid_credentials: 'Correo o contraseña incorrectos.',
    session_expired: 'Tu sesión venció. Ingresa de nuevo.',
    invalid_token: 'Tu sesión ya no es válida. Ingresa de nuevo.',
    session_revoked: 'Cerraste esta sesión. Ingresa de nuevo.',
    too_many_attempts: 'Demasiados intentos fallidos desde esta conexión o con este correo. Espera unos minutos e inténtalo de nuevo.',
    unauthorized: 'Necesitas ingresar para continuar.',
    forbidden: 'Tu rol no permite esta acción: pídesela a un supervisor.',
    not_found: 'No existe una PQR con ese CUN.',
    invalid_transition: 'La PQR ya no está en un estado que permita esta acción (por ejemplo, ya fue respondida). Se muestra el caso actualizado.',
    conflict: 'Otra persona modificó la PQR al mismo tiempo. Se muestra el caso actualizado; revísalo antes de volver a intentar.',
    empty_text: 'Escribe el texto antes de enviar.',
    text_too_long: 'El texto es demasiado largo: el máximo es 20.000 caracteres.',
    invalid_outcome: 'Elige el sentido de la decisión.',
    no_apelacion: 'Solo se traslada a la SIC una reposición que confirmó la decisión cuando el usuario pidió apelación en subsidio.',
    bad_request: 'La solicitud no es válida. Revisa los datos e inténtalo de nuevo.',
    internal: 'El servidor no pudo completar la solicitud. Inténtalo de nuevo en un momento.',
    network: 'No hay conexión con el servidor. Revisa tu red e inténtalo de nuevo.',
  };

  var $ = function (id) {
    return document.getElementById(id);
  };

  var state = { session: null, page: 1, pageSize: 20, cun: null, rendered: null, options: null };

  // ---- helpers ----------------------------------------------------------------------------

  var dateFormat = new Intl.DateTimeFormat('es-CO', { timeZone: 'America/Bogota', day: 'numeric', month: 'short', year: 'numeric' });
  var shortDateFormat = new Intl.DateTimeFormat('es-CO', { timeZone: 'America/Bogota', day: '2-digit', month: '2-digit', year: 'numeric' });
  var dateTimeFormat = new Intl.DateTimeFormat('es-CO', { timeZone: 'America/Bogota', day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' });

  function formatDate(iso) {
    return iso ? dateFormat.format(new Date(iso)) : '—';
  }

  function formatShortDate(iso) {
    return iso ? shortDateFormat.format(new Date(iso)) : '—';
  }

  function formatDateTime(iso) {
    return iso ? dateTimeFormat.format(new Date(iso)) : '—';
  }

  function label(table, code) {
    if (!code) return '—';
    return (L[table] && L[table][code]) || code;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function show(node, visible) {
    node.hidden = !visible;
  }

  function showMessage(node, text) {
    node.textContent = text || '';
    show(node, !!text);
  }

  function errorText(error) {
    return ERRORS[error.code] || 'Algo falló (' + error.code + '). Inténtalo de nuevo.';
  }

  function lightNode(light) {
    var node = el('span', 'light light--' + (light || 'none'));
    node.appendChild(el('span', 'light__dot'));
    node.appendChild(el('span', 'light__text', light ? label('light', light) : 'Sin plazo pendiente'));
    return node;
  }

  function fact(list, name, value) {
    list.appendChild(el('dt', null, name));
    list.appendChild(el('dd', null, value === null || value === undefined || value === '' ? '—' : value));
  }

  // ---- API --------------------------------------------------------------------------------

  function ApiError(status, code, message) {
    this.status = status;
    this.code = code;
    this.message = message;
  }

  function request(method, path, body, raw) {
    var headers = { Accept: raw ? '*/*' : 'application/json' };
    if (state.session) headers.Authorization = 'Bearer ' + state.session.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(API + path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .catch(function () {
        throw new ApiError(0, 'network', 'network');
      })
      .then(function (response) {
        if (response.ok) return raw ? response.blob() : response.json();
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (payload) {
            var error = (payload && payload.error) || {};
            var failure = new ApiError(response.status, error.code || 'http_' + response.status, error.message || '');
            if (response.status === 401 && path !== '/login') signOut(errorText(failure));
            throw failure;
          });
      });
  }

  // ---- session ----------------------------------------------------------------------------

  function loadSession() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
      if (saved && saved.token && new Date(saved.expiresAt) > new Date()) return saved;
    } catch (ignored) {
      // A damaged entry just means signing in again.
    }
    sessionStorage.removeItem(SESSION_KEY);
    return null;
  }

  function signOut(message) {
    state.session = null;
    state.cun = null;
    sessionStorage.removeItem(SESSION_KEY);
    show($('workspace'), false);
    show($('who'), false);
    show($('logout'), false);
    show($('login'), true);
    showMessage($('login-error'), message || '');
    $('login-password').value = '';
    $('login-email').focus();
  }

  function signedIn() {
    show($('login'), false);
    show($('workspace'), true);
    $('who').textContent = state.session.agent.name + ' · ' + (state.session.agent.role === 'supervisor' ? 'Supervisor' : 'Agente');
    show($('who'), true);
    show($('logout'), true);
    loadOptions().then(loadQueue);
  }

  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var email = $('login-email').value.trim();
    var password = $('login-password').value;
    if (!email || !password) {
      showMessage($('login-error'), 'Escribe tu correo y tu contraseña.');
      return;
    }
    showMessage($('login-error'), '');
    request('POST', '/login', { email: email, password: password })
      .then(function (result) {
        state.session = { token: result.token, expiresAt: result.expiresAt, agent: result.agent };
        sessionStorage.setItem(SESSION_KEY, JSON.stringify(state.session));
        $('login-password').value = '';
        signedIn();
      })
      .catch(function (error) {
        showMessage($('login-error'), errorText(error));
      });
  });

  $('logout').addEventListener('click', function () {
    // The server revokes the session; the page forgets it whatever the answer (offline, already expired).
    request('POST', '/logout')
      .catch(function () {})
      .then(function () {
        signOut('Cerraste la sesión.');
      });
  });

  // ---- queue ------------------------------------------------------------------------------

  function fillSelect(select, entries) {
    entries.forEach(function (entry) {
      var option = el('option', null, entry[1]);
      option.value = entry[0];
      select.appendChild(option);
    });
  }

  function loadOptions() {
    if (state.options) return Promise.resolve();
    return request('GET', '/options').then(function (options) {
      state.options = options;
      var form = $('filters');
      fillSelect(form.elements.status, options.statuses.map(function (s) { return [s, label('status', s)]; }));
      fillSelect(form.elements.type, options.types.map(function (t) { return [t, label('type', t)]; }));
      fillSelect(form.elements.brand, options.brands.map(function (b) { return [b.id, b.name]; }));
      fillSelect(form.elements.channel, Object.keys(L.channel).filter(function (c) { return c !== 'email'; }).map(function (c) { return [c, L.channel[c]]; }));
      fillSelect($('answer-outcome'), Object.keys(L.answerOutcome).map(function (o) { return [o, L.answerOutcome[o]]; }));
      fillSelect($('decision-outcome'), Object.keys(L.decisionOutcome).map(function (o) { return [o, L.decisionOutcome[o]]; }));
    });
  }

  function queueQuery() {
    var form = $('filters');
    var params = new URLSearchParams();
    var status = form.elements.status.value;
    params.set('status', status === 'open' ? OPEN_STATUSES.join(',') : status);
    ['type', 'brand', 'channel'].forEach(function (name) {
      params.set(name, form.elements[name].value);
    });
    if (form.elements.overdue.checked) params.set('overdue', 'true');
    params.set('page', String(state.page));
    params.set('pageSize', String(state.pageSize));
    Array.from(params.keys()).forEach(function (key) {
      if (!params.get(key)) params.delete(key);
    });
    return params.toString();
  }

  function loadQueue() {
    showMessage($('queue-error'), '');
    return request('GET', '/pqrs?' + queueQuery())
      .then(renderQueue)
      .catch(function (error) {
        if (error.status !== 401) showMessage($('queue-error'), errorText(error));
      });
  }

  function renderQueue(result) {
    var body = $('queue-body');
    clear(body);
    result.items.forEach(function (item) {
      var row = el('tr', item.cun === state.cun ? 'is-selected' : '');
      row.dataset.cun = item.cun;
      var light = el('td');
      light.appendChild(lightNode(item.light));
      row.appendChild(light);
      var cunCell = el('td');
      var open = el('button', 'link', item.cun);
      open.type = 'button';
      open.addEventListener('click', function () {
        openCase(item.cun);
      });
      cunCell.appendChild(open);
      row.appendChild(cunCell);
      row.appendChild(el('td', null, label('type', item.type)));
      row.appendChild(el('td', null, label('status', item.status)));
      row.appendChild(el('td', null, item.brandName || 'No cliente'));
      row.appendChild(el('td', null, label('channel', item.channel)));
      row.appendChild(el('td', item.overdue ? 'is-overdue' : '', formatShortDate(item.deadline || item.dueDate)));
      body.appendChild(row);
    });
    show($('queue-empty'), result.items.length === 0);
    var pages = Math.max(1, Math.ceil(result.total / state.pageSize));
    $('page-info').textContent = 'Página ' + state.page + ' de ' + pages + ' · ' + result.total + (result.total === 1 ? ' caso' : ' casos');
    $('prev').disabled = state.page <= 1;
    $('next').disabled = state.page >= pages;
  }

  $('filters').addEventListener('change', function () {
    state.page = 1;
    loadQueue();
  });
  $('filters').addEventListener('submit', function (event) {
    event.preventDefault();
  });
  $('refresh').addEventListener('click', function () {
    loadQueue();
    if (state.cun) openCase(state.cun);
  });
  $('prev').addEventListener('click', function () {
    state.page -= 1;
    loadQueue();
  });
  $('next').addEventListener('click', function () {
    state.page += 1;
    loadQueue();
  });

  // ---- case -------------------------------------------------------------------------------

  function openCase(cun) {
    state.cun = cun;
    showMessage($('case-error'), '');
    showMessage($('case-notice'), '');
    Array.prototype.forEach.call($('queue-body').rows, function (row) {
      row.classList.toggle('is-selected', row.dataset.cun === cun);
    });
    return request('GET', '/pqrs/' + encodeURIComponent(cun))
      .then(renderCase)
      .catch(function (error) {
        if (error.status !== 401) {
          show($('case-placeholder'), false);
          show($('case-body'), true);
          showMessage($('case-error'), errorText(error));
        }
      });
  }

  function renderCase(pqr) {
    // A draft belongs to the case it was written for: another case starts with empty forms.
    if (pqr.cun !== state.rendered) {
      ['answer-form', 'decision-form'].forEach(function (id) {
        $(id).reset();
      });
      state.rendered = pqr.cun;
    }
    state.cun = pqr.cun;
    show($('case-placeholder'), false);
    show($('case-body'), true);
    $('case-title').textContent = label('type', pqr.type) + ' ' + pqr.cun;
    $('case-status').textContent = label('status', pqr.status);
    var light = $('case-light');
    clear(light);
    light.appendChild(lightNode(pqr.light));

    var supervisor = state.session.agent.role === 'supervisor';
    show($('answer-form'), pqr.actions.answer);
    show($('decision-form'), pqr.actions.decideRecurso && supervisor);
    show($('traslado-form'), pqr.actions.traslado && supervisor);
    var note = '';
    if (!supervisor && pqr.actions.decideRecurso) note = 'El usuario interpuso un recurso: lo decide un supervisor.';
    if (!supervisor && pqr.actions.traslado) note = 'Pendiente del traslado a la SIC: lo hace un supervisor.';
    showMessage($('role-note'), note);

    var d = pqr.deadlines;
    var deadlines = $('deadlines');
    clear(deadlines);
    fact(deadlines, 'Radicada', formatDateTime(pqr.filedAt));
    fact(deadlines, 'Términos desde', formatDate(d.countedFrom));
    fact(deadlines, 'Fecha límite de respuesta', formatDate(d.dueDate));
    if (d.current) fact(deadlines, 'Próximo vencimiento', formatDate(d.current));
    if (d.recursoDeadline) fact(deadlines, 'El usuario puede recurrir hasta', formatDate(d.recursoDeadline));
    if (d.recursoDueDate) fact(deadlines, 'Decidir el recurso a más tardar', formatDate(d.recursoDueDate));
    if (d.sicDueDate) fact(deadlines, 'Trasladar a la SIC a más tardar', formatDate(d.sicDueDate));
    if (pqr.vencida) fact(deadlines, 'Silencio administrativo positivo', 'Sí: dar efecto a más tardar el ' + formatDateTime(d.silenceEffectBy));

    var owner = $('owner');
    clear(owner);
    var o = pqr.owner;
    if (o && o.kind === 'subscriber') {
      fact(owner, 'Cliente de', o.brand);
      fact(owner, 'Línea', o.line);
      fact(owner, 'Nombre', o.fullName);
      fact(owner, 'Documento', [o.documentType, o.documentNumber].filter(Boolean).join(' '));
    } else if (o) {
      fact(owner, 'No cliente', o.fullName);
      fact(owner, 'Documento', o.documentType + ' ' + o.documentNumber);
      fact(owner, 'Correo electrónico', o.email);
      // The same document given with another name or e-mail: shown, never merged.
      (o.mismatches || []).forEach(function (m) {
        var where = m.cun ? 'En la PQR ' + m.cun : 'En el registro del documento';
        var what = m.fields.map(function (f) { return f === 'email' ? 'correo ' + m.email : 'nombre ' + m.fullName; }).join(' y ');
        fact(owner, '⚠ Datos distintos', where + ': ' + what);
      });
    }
    fact(owner, 'Canal de entrada', label('channel', pqr.channel));
    fact(owner, 'Notificar por', label('channel', pqr.notifyChannel) + ' · ' + pqr.notifyAddress);

    $('description').textContent = pqr.description;

    var decisions = $('decisions');
    clear(decisions);
    if (pqr.answer) addDecision(decisions, 'Respuesta (' + label('answerOutcome', pqr.answer.outcome) + ')', pqr.answer.text, 'Respondida el ' + formatDateTime(pqr.answer.answeredAt) + (pqr.answer.notifiedAt ? ' · notificada el ' + formatDateTime(pqr.answer.notifiedAt) : ' · aún sin notificar'));
    if (pqr.recurso) addDecision(decisions, 'Recurso: ' + label('recursoKind', pqr.recurso.kind), pqr.recurso.text, 'Presentado el ' + formatDateTime(pqr.recurso.filedAt));
    if (pqr.decision) addDecision(decisions, 'Decisión del recurso (' + label('decisionOutcome', pqr.decision.outcome) + ')', pqr.decision.text, 'Decidido el ' + formatDateTime(pqr.decision.decidedAt));

    var conversation = $('conversation');
    clear(conversation);
    pqr.conversation.forEach(function (message) {
      var item = el('li', 'bubble bubble--' + message.from);
      item.appendChild(el('span', 'bubble__meta', (message.from === 'user' ? 'Usuario' : 'Bot') + (message.at ? ' · ' + formatDateTime(message.at) : '')));
      item.appendChild(el('span', 'bubble__text', message.text));
      conversation.appendChild(item);
    });
    if (!pqr.conversation.length) conversation.appendChild(el('li', 'muted', 'Sin mensajes guardados de esta conversación.'));

    var attachments = $('attachments');
    clear(attachments);
    pqr.attachments.forEach(function (a) {
      var item = el('li', null, (a.fileName || a.kind) + ' · ' + a.mimeType + ' · ' + Math.ceil(a.size / 1024) + ' KB · ' + formatDateTime(a.createdAt) + ' ');
      var download = el('button', 'link', 'Descargar');
      download.type = 'button';
      download.addEventListener('click', function () {
        save('/pqrs/' + encodeURIComponent(pqr.cun) + '/attachments/' + a.id, a.fileName || 'prueba-' + a.id);
      });
      item.appendChild(download);
      attachments.appendChild(item);
    });
    if (!pqr.attachments.length) attachments.appendChild(el('li', 'muted', 'El usuario no aportó pruebas.'));

    var notifications = $('notifications');
    clear(notifications);
    pqr.notifications.forEach(function (n) {
      var delivered = n.deliveredAt ? 'entregada el ' + formatDateTime(n.deliveredAt) : n.sentAt ? 'enviada el ' + formatDateTime(n.sentAt) : 'pendiente (' + n.status + ')';
      notifications.appendChild(el('li', null, (n.key || n.kind) + ' por ' + label('channel', n.channel) + ': ' + delivered));
    });
    if (!pqr.notifications.length) notifications.appendChild(el('li', 'muted', 'Ninguna todavía.'));

    var events = $('events');
    clear(events);
    pqr.events.forEach(function (e) {
      var item = el('li');
      item.appendChild(el('strong', null, label('action', e.action)));
      item.appendChild(el('span', null, ' · ' + formatDateTime(e.at) + ' · ' + e.actor));
      item.appendChild(el('code', 'hash', e.hash));
      events.appendChild(item);
    });
  }

  function addDecision(parent, title, text, meta) {
    parent.appendChild(el('h3', null, title));
    parent.appendChild(el('p', 'muted', meta));
    parent.appendChild(el('p', 'text', text));
  }

  function save(path, fileName) {
    request('GET', path, undefined, true)
      .then(function (blob) {
        var url = URL.createObjectURL(blob);
        var link = el('a');
        link.href = url;
        link.download = fileName;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () {
          URL.revokeObjectURL(url);
        }, 10000);
      })
      .catch(function (error) {
        if (error.status !== 401) showMessage($('case-error'), errorText(error));
      });
  }

  function act(path, body, done) {
    showMessage($('case-error'), '');
    showMessage($('case-notice'), '');
    return request('POST', '/pqrs/' + encodeURIComponent(state.cun) + path, body)
      .then(function (pqr) {
        renderCase(pqr);
        showMessage($('case-notice'), done);
        loadQueue();
        return true;
      })
      .catch(function (error) {
        if (error.status === 401) return false;
        var cun = state.cun;
        // The case changed under the agent: show it as it is now, then say why the action failed.
        var refresh = error.status === 409 ? openCase(cun) : Promise.resolve();
        return refresh.then(function () {
          showMessage($('case-error'), errorText(error));
          return false;
        });
      });
  }

  function submitting(form, run) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      run(form).then(function (ok) {
        button.disabled = false;
        if (ok && form.elements.text) form.elements.text.value = '';
      });
    });
  }

  function requireText(form) {
    if (form.elements.text.value.trim()) return true;
    showMessage($('case-error'), ERRORS.empty_text);
    form.elements.text.focus();
    return false;
  }

  submitting($('answer-form'), function (form) {
    if (!requireText(form)) return Promise.resolve(false);
    return act('/answer', { text: form.elements.text.value, outcome: form.elements.outcome.value }, 'Respuesta registrada: se notificará al usuario por el canal elegido.');
  });

  submitting($('decision-form'), function (form) {
    if (!requireText(form)) return Promise.resolve(false);
    return act('/recurso/decision', { text: form.elements.text.value, outcome: form.elements.outcome.value }, 'Decisión registrada y notificada al usuario.');
  });

  submitting($('traslado-form'), function () {
    return act('/traslado', undefined, 'Caso trasladado a la SIC. Descarga el expediente para enviarlo.');
  });

  $('download-pdf').addEventListener('click', function () {
    save('/pqrs/' + encodeURIComponent(state.cun) + '/expediente.pdf', 'expediente-' + state.cun + '.pdf');
  });
  $('download-json').addEventListener('click', function () {
    save('/pqrs/' + encodeURIComponent(state.cun) + '/expediente', 'expediente-' + state.cun + '.json');
  });

  // ---- start ------------------------------------------------------------------------------

  state.session = loadSession();
  if (state.session) signedIn();
  else signOut();
})();

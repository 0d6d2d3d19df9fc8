/* Data-protection requests (Ley 1581 arts. 14 and 15) beside the PQR queue: list with the same traffic light, extend once, close. */
(function () {
  'use strict';

  var API = '/api/backoffice/data-requests';
  // The session app.js keeps after sign-in.
  var SESSION_KEY = 'pqr-backoffice-session';
  var LIGHTS = { on_time: 'A tiempo', due_soon: 'Por vencer', overdue: 'Vencido' };
  var KINDS = { consulta: 'Consulta', actualizar: 'Actualizar', rectificar: 'Rectificar', suprimir: 'Suprimir', revocar: 'Revocar autorización' };
  var ERRORS = {
    already_extended: 'Ese término ya se prorrogó una vez: la ley permite una sola prórroga.',
    term_over: 'El término ya venció: la prórroga se da antes de que termine.',
    not_open: 'La solicitud no está abierta.',
    bad_request: 'Escribe el motivo o la respuesta: se envía a la persona.',
    network: 'No hay conexión con el servidor. Revisa tu red e inténtalo de nuevo.',
  };
  var dayFormat = new Intl.DateTimeFormat('es-CO', { timeZone: 'America/Bogota', day: 'numeric', month: 'long', year: 'numeric' });

  var $ = function (id) {
    return document.getElementById(id);
  };

  function session() {
    try {
      return JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    } catch (ignored) {
      return null;
    }
  }

  function say(node, text) {
    node.textContent = text || '';
    node.hidden = !text;
  }

  function request(method, path, body) {
    var current = session();
    var headers = { Accept: 'application/json' };
    if (current) headers.Authorization = 'Bearer ' + current.token;
    if (body) headers['Content-Type'] = 'application/json';
    return fetch(API + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .catch(function () {
        throw { code: 'network' };
      })
      .then(function (response) {
        return response.json().then(function (payload) {
          if (!response.ok) throw (payload && payload.error) || { code: 'http_' + response.status };
          return payload;
        });
      });
  }

  function errorText(error) {
    return ERRORS[error.code] || error.message || 'Algo falló. Inténtalo de nuevo.';
  }

  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function render(listing) {
    var body = $('data-requests-body');
    while (body.firstChild) body.removeChild(body.firstChild);
    $('data-requests-empty').hidden = listing.items.length > 0;
    listing.items.forEach(function (item) {
      var row = document.createElement('tr');
      var light = cell(row, '');
      var badge = document.createElement('span');
      badge.className = 'light light--' + (item.light || 'none');
      var dot = document.createElement('span');
      dot.className = 'light__dot';
      badge.appendChild(dot);
      var text = document.createElement('span');
      text.className = 'light__text';
      text.textContent = item.light ? LIGHTS[item.light] : 'Cerrada';
      badge.appendChild(text);
      light.appendChild(badge);
      cell(row, item.number);
      cell(row, KINDS[item.action || item.kind] || item.kind);
      cell(row, item.status);
      cell(row, dayFormat.format(new Date(item.dueDate)) + (item.extendedAt ? ' (prorrogada)' : ''));
      body.appendChild(row);
    });
    var open = listing.items.filter(function (item) {
      return item.status === 'abierta';
    });
    var select = $('data-request-number');
    while (select.firstChild) select.removeChild(select.firstChild);
    open.forEach(function (item) {
      var option = document.createElement('option');
      option.value = item.number;
      option.textContent = item.number + ' · ' + (KINDS[item.action || item.kind] || item.kind);
      select.appendChild(option);
    });
    $('data-request-form').hidden = open.length === 0;
  }

  function load() {
    return request('GET', '')
      .then(render)
      .catch(function (error) {
        say($('data-requests-error'), errorText(error));
      });
  }

  function act(action) {
    var number = $('data-request-number').value;
    var text = $('data-request-text').value.trim();
    say($('data-requests-notice'), '');
    if (!text) {
      say($('data-requests-error'), ERRORS.bad_request);
      return;
    }
    request('POST', '/' + encodeURIComponent(number) + '/' + action, action === 'extend' ? { reason: text } : { text: text })
      .then(function (result) {
        say($('data-requests-error'), '');
        var kept = result.keptUntil ? ' El expediente de sus PQR se conserva hasta el ' + result.keptUntil + '.' : '';
        say($('data-requests-notice'), (action === 'extend' ? 'Prorrogada hasta el ' + dayFormat.format(new Date(result.dueDate)) + '.' : 'Respondida y cerrada.' + kept) + ' Se avisó a la persona.');
        $('data-request-text').value = '';
        return load();
      })
      .catch(function (error) {
        say($('data-requests-error'), errorText(error));
      });
  }

  $('data-request-extend').addEventListener('click', function () {
    act('extend');
  });
  $('data-request-close').addEventListener('click', function () {
    act('close');
  });
  $('data-request-form').addEventListener('submit', function (event) {
    event.preventDefault();
  });

  // The section shows once app.js has signed the agent in and revealed the workspace.
  new MutationObserver(function () {
    if (!$('workspace').hidden && session()) load();
  }).observe($('workspace'), { attributes: true, attributeFilter: ['hidden'] });
  if (!$('workspace').hidden && session()) load();
})();

/* The back office's holiday overrides: list a year's holidays, and (supervisors) add or remove one. */
(function () {
  'use strict';

  var API = '/api/backoffice/holidays';
  // The session app.js keeps after sign-in.
  var SESSION_KEY = 'pqr-backoffice-session';
  var ERRORS = {
    forbidden: 'Solo un supervisor puede agregar o quitar festivos.',
    not_found: 'Ese día no tiene un ajuste que quitar.',
    bad_request: 'Revisa el día y escribe la norma o el motivo.',
    network: 'No hay conexión con el servidor. Revisa tu red e inténtalo de nuevo.',
  };
  var SOURCES = { library: 'ley', override: 'ajuste del operador' };
  var dayFormat = new Intl.DateTimeFormat('es-CO', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

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

  function render(listing) {
    var list = $('holidays-list');
    while (list.firstChild) list.removeChild(list.firstChild);
    listing.holidays.forEach(function (holiday) {
      var item = document.createElement('li');
      item.textContent = dayFormat.format(new Date(holiday.date + 'T00:00:00Z')) + ': ' + holiday.name + ' (' + SOURCES[holiday.source] + ')';
      list.appendChild(item);
    });
  }

  function load() {
    say($('holidays-error'), '');
    return request('GET', '?year=' + encodeURIComponent($('holidays-year').value))
      .then(render)
      .catch(function (error) {
        say($('holidays-error'), errorText(error));
      });
  }

  function prepare() {
    var current = session();
    if (!current) return;
    var supervisor = current.agent && current.agent.role === 'supervisor';
    $('holiday-form').hidden = !supervisor;
    $('holidays-role-note').hidden = supervisor;
    if (!$('holidays-year').value) $('holidays-year').value = String(new Date().getFullYear());
    load();
  }

  $('holidays-year-form').addEventListener('submit', function (event) {
    event.preventDefault();
    load();
  });

  $('holiday-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var date = $('holiday-date').value;
    var reason = $('holiday-reason').value.trim();
    say($('holidays-notice'), '');
    if (!date || !reason) {
      say($('holidays-error'), ERRORS.bad_request);
      return;
    }
    request('POST', '', { date: date, isHoliday: $('holiday-kind').value === 'add', reason: reason })
      .then(function (result) {
        say($('holidays-error'), '');
        say($('holidays-notice'), 'Guardado. ' + result.note);
        $('holidays-year').value = date.slice(0, 4);
        return load();
      })
      .catch(function (error) {
        say($('holidays-error'), errorText(error));
      });
  });

  // The section shows once app.js has signed the agent in and revealed the workspace.
  new MutationObserver(function () {
    if (!$('workspace').hidden) prepare();
  }).observe($('workspace'), { attributes: true, attributeFilter: ['hidden'] });
  if (!$('workspace').hidden) prepare();
})();

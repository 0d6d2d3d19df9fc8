/* The supervisors' dashboard: charts (Chart.js) of GET /api/backoffice/reports/summary, each with its numbers in a table and as CSV. */
(function () {
  'use strict';

  var API = '/api/backoffice';
  var L = window.BO_LABELS;
  var COLORS = ['#1d4f91', '#b3541e', '#2e7d32', '#6a1b9a', '#c62828', '#00695c', '#5d4037', '#ad1457'];
  var LIGHT_COLORS = { overdue: '#b42318', due_soon: '#a15c00', on_time: '#1e7b34' };
  var EMPTY = 'No hay datos para este periodo con estos filtros.';

  var $ = function (id) {
    return document.getElementById(id);
  };
  var state = { session: null, options: null, charts: [], loaded: false };

  var weekFormat = new Intl.DateTimeFormat('es-CO', { timeZone: 'UTC', day: 'numeric', month: 'short' });
  var longWeekFormat = new Intl.DateTimeFormat('es-CO', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
  var dateFormat = new Intl.DateTimeFormat('es-CO', { timeZone: 'America/Bogota', day: 'numeric', month: 'short', year: 'numeric' });
  var numberFormat = new Intl.NumberFormat('es-CO', { maximumFractionDigits: 1 });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function label(table, code) {
    return (L[table] && L[table][code]) || code;
  }

  function sum(values) {
    return values.reduce(function (a, b) {
      return a + b;
    }, 0);
  }

  // ---- API --------------------------------------------------------------------------------

  function request(path, raw) {
    return fetch(API + path, { headers: { Accept: raw ? 'text/csv' : 'application/json', Authorization: 'Bearer ' + state.session.token } })
      .catch(function () {
        throw { status: 0, code: 'network', message: 'No hay conexión con el servidor. Revisa tu red e inténtalo de nuevo.' };
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
            var failure = { status: response.status, code: error.code || 'http_' + response.status, message: error.message || '' };
            if (response.status === 401) document.dispatchEvent(new CustomEvent('backoffice:session-ended', { detail: failure }));
            throw failure;
          });
      });
  }

  /** What a refused request means for the supervisor; the period's reason comes from the server, in English, so it is said here. */
  function errorText(error) {
    if (error.code === 'bad_period') {
      if (/empty/.test(error.message)) return 'El periodo está vacío: la fecha "Desde" es posterior a "Hasta".';
      if (/at most/.test(error.message)) return 'El periodo es demasiado largo: el tablero muestra hasta un año (366 días). Elige un periodo más corto.';
      return 'Escribe las fechas completas (día, mes y año).';
    }
    if (error.code === 'forbidden') return 'El tablero es para supervisores.';
    if (error.code === 'network') return error.message;
    return 'No se pudo cargar el tablero. Inténtalo de nuevo en un momento.';
  }

  // ---- CSV --------------------------------------------------------------------------------

  /** One CSV cell; a cell a spreadsheet would read as a formula is prefixed with an apostrophe. */
  function csvCell(value) {
    var text = value === null || value === undefined ? '' : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function download(blob, fileName) {
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
  }

  // ---- charts -----------------------------------------------------------------------------

  /**
   * A figure with a chart and its text alternative: a table with every number (read by screen
   * readers, visually hidden unless `visibleTable`) and a button that downloads it as CSV.
   * `data`: { columns: [header…], rows: [{ key, cells: [label, numbers…] }], chart: Chart.js config or null }.
   */
  function figure(id, title, description, data, period, visibleTable) {
    var node = el('figure', 'chart card');
    node.id = 'chart-' + id;
    var caption = el('figcaption');
    var heading = el('h3', null, title);
    heading.id = node.id + '-title';
    caption.appendChild(heading);
    if (description) caption.appendChild(el('p', 'muted', description));
    node.setAttribute('aria-labelledby', heading.id);
    node.appendChild(caption);
    if (!data.rows.length) {
      node.appendChild(el('p', 'chart__empty', data.emptyText || EMPTY));
      node.dataset.empty = 'true';
      return node;
    }
    if (data.chart) {
      var box = el('div', 'chart__canvas');
      var canvas = el('canvas');
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', 'Gráfico: ' + title + '. Los números están en la tabla de datos de este gráfico.');
      box.appendChild(canvas);
      node.appendChild(box);
      state.charts.push({ canvas: canvas, config: data.chart });
    }
    var table = el('table', visibleTable ? 'data-table' : 'sr-only');
    table.appendChild(el('caption', null, 'Datos: ' + title));
    var head = el('tr');
    data.columns.forEach(function (column, i) {
      var th = el('th', null, column);
      th.scope = 'col';
      head.appendChild(th);
    });
    var thead = el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el('tbody');
    data.rows.forEach(function (row) {
      var tr = el('tr');
      tr.dataset.key = row.key;
      row.cells.forEach(function (cell, i) {
        var td = el(i === 0 ? 'th' : 'td', null, typeof cell === 'number' ? numberFormat.format(cell) : cell);
        if (i === 0) td.scope = 'row';
        if (typeof cell === 'number') td.dataset.value = String(cell);
        if (row.light && i === 0) td.className = 'light--' + row.light;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    node.appendChild(table);
    var csv = el('button', 'button button--ghost', 'Descargar datos (CSV)');
    csv.type = 'button';
    csv.setAttribute('aria-label', 'Descargar datos de «' + title + '» (CSV)');
    csv.addEventListener('click', function () {
      var lines = [data.columns.map(csvCell).join(',')].concat(
        data.rows.map(function (row) {
          return [row.csvKey || row.key].concat(row.cells.slice(1)).map(csvCell).join(',');
        }),
      );
      download(new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' }), 'tablero-' + id + '-' + period.from + '-' + period.to + '.csv');
    });
    node.appendChild(csv);
    return node;
  }

  function barConfig(labels, datasets, stacked) {
    return {
      type: 'bar',
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: datasets.length > 1, position: 'bottom' } },
        scales: { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  }

  /** Weekly series as a chart (stacked when more than one) and a table: one row per week, a column per series. */
  function weekly(summary, series, stacked) {
    var total = sum(
      series.map(function (s) {
        return sum(s.values);
      }),
    );
    if (!total) return { columns: [], rows: [] };
    var columns = ['Semana'].concat(
      series.map(function (s) {
        return s.label;
      }),
    );
    if (series.length > 1) columns.push('Total');
    var rows = summary.weeks.map(function (week, i) {
      var values = series.map(function (s) {
        return s.values[i];
      });
      return { key: week, cells: ['Semana del ' + longWeekFormat.format(new Date(week))].concat(values, series.length > 1 ? [sum(values)] : []) };
    });
    var labels = summary.weeks.map(function (week) {
      return weekFormat.format(new Date(week));
    });
    var datasets = series.map(function (s, i) {
      return { label: s.label, data: s.values, backgroundColor: s.color || COLORS[i % COLORS.length] };
    });
    return { columns: columns, rows: rows, chart: barConfig(labels, datasets, stacked) };
  }

  function categories(entries, firstColumn, valueLabel) {
    if (!sum(entries.map(function (e) { return e.value; }))) return { columns: [], rows: [] };
    return {
      columns: [firstColumn, valueLabel],
      rows: entries.map(function (e) {
        return { key: e.key, cells: [e.label, e.value], light: e.light };
      }),
      chart: barConfig(
        entries.map(function (e) {
          return e.label;
        }),
        [
          {
            label: valueLabel,
            data: entries.map(function (e) {
              return e.value;
            }),
            backgroundColor: entries.map(function (e, i) {
              return e.color || COLORS[i % COLORS.length];
            }),
          },
        ],
        false,
      ),
    };
  }

  function render(summary) {
    state.charts.forEach(function (c) {
      if (c.chart) c.chart.destroy();
    });
    state.charts = [];
    var period = summary.period;
    var t = summary.totals;

    var totals = $('dashboard-totals');
    totals.textContent = '';
    [
      ['Radicadas', t.filed],
      ['Respondidas a tiempo', t.answeredInTerm],
      ['Respondidas tarde', t.answeredLate],
      ['Silencio positivo', t.silencioPositivo],
      ['Recursos', t.recursos],
      ['Traslados a la SIC', t.trasladosSic],
      ['Días hábiles promedio para responder', t.avgBusinessDaysToAnswer === null ? '—' : t.avgBusinessDaysToAnswer],
      ['Casos abiertos hoy', summary.open.total],
    ].forEach(function (entry) {
      var item = el('div', 'totals__item');
      item.appendChild(el('dt', null, entry[0]));
      item.appendChild(el('dd', null, typeof entry[1] === 'number' ? numberFormat.format(entry[1]) : entry[1]));
      totals.appendChild(item);
    });

    var charts = $('charts');
    charts.textContent = '';
    var add = function (node) {
      charts.appendChild(node);
    };
    var cohort = 'Por semana de radicación, del ' + longWeekFormat.format(new Date(period.from)) + ' al ' + longWeekFormat.format(new Date(period.to)) + '.';
    add(figure('filed-type', 'PQR radicadas por semana, por tipo', cohort, weekly(summary, summary.filed.byType, true), period));
    add(figure('filed-brand', 'PQR radicadas por semana, por marca', cohort, weekly(summary, summary.filed.byBrand, true), period));
    add(figure('filed-channel', 'PQR radicadas por semana, por canal', cohort, weekly(summary, summary.filed.byChannel, true), period));
    add(
      figure(
        'answered',
        'Respondidas dentro del término y tarde',
        cohort + ' Tarde: respondida después de la fecha límite.',
        weekly(
          summary,
          [
            { label: 'A tiempo', values: summary.answered.inTerm, color: LIGHT_COLORS.on_time },
            { label: 'Tarde', values: summary.answered.late, color: LIGHT_COLORS.overdue },
          ],
          true,
        ),
        period,
      ),
    );
    add(figure('silencio', 'Silencio administrativo positivo', cohort + ' PQR cuyo término venció sin respuesta notificada.', weekly(summary, [{ label: 'Casos', values: summary.silencioPositivo, color: LIGHT_COLORS.overdue }], false), period));
    add(figure('recursos', 'Recursos de reposición presentados', cohort, weekly(summary, [{ label: 'Recursos', values: summary.recursos.byWeek }], false), period));
    var outcomes = summary.recursos.outcomes;
    add(
      figure(
        'recursos-outcome',
        'Decisión de los recursos',
        'Recursos de las PQR radicadas en el periodo (' + numberFormat.format(summary.recursos.conApelacion) + ' con apelación en subsidio).',
        categories(
          [
            { key: 'repone', label: 'Repone', value: outcomes.repone },
            { key: 'confirma', label: 'Confirma', value: outcomes.confirma },
            { key: 'pendiente', label: 'Sin decidir', value: outcomes.pendiente },
          ],
          'Decisión',
          'Recursos',
        ),
        period,
      ),
    );
    add(figure('traslados', 'Traslados a la SIC', cohort + ' Apelaciones enviadas a la Superintendencia.', weekly(summary, [{ label: 'Traslados', values: summary.trasladosSic }], false), period));
    add(
      figure(
        'open-days-left',
        'Casos abiertos hoy por días hábiles restantes',
        'Semáforo de la cola: vencidos, vence pronto (3 días hábiles o menos) y a tiempo. ' + numberFormat.format(summary.open.noDeadline) + ' casos abiertos no tienen plazo pendiente del operador.',
        categories(
          summary.open.byDaysLeft.map(function (b) {
            return { key: b.bucket, label: b.label + ' (' + label('light', b.light) + ')', value: b.count, color: LIGHT_COLORS[b.light], light: b.light };
          }),
          'Días hábiles restantes',
          'Casos',
        ),
        period,
      ),
    );
    add(oldestFigure(summary, period));
    csatFigures(summary, period).forEach(add);
    add(figure('clarifications', 'Veces que el bot no estuvo seguro', 'El bot preguntó a qué se refería el usuario, por semana.', weekly(summary, [{ label: 'Aclaraciones', values: summary.nlu.clarifications }], false), period));
    add(figure('corrections', 'Correcciones elegidas por los usuarios', 'Lo que el usuario eligió cuando el bot propuso otra cosa, por semana.', weekly(summary, summary.nlu.corrections, true), period));

    state.charts.forEach(function (c) {
      c.chart = new window.Chart(c.canvas, c.config);
    });
  }

  function brandName(id) {
    if (id === 'no_cliente') return 'No cliente';
    var brand = state.options.brands.filter(function (b) {
      return b.id === id;
    })[0];
    return brand ? brand.name : id;
  }

  function oldestFigure(summary, period) {
    var rows = summary.open.oldest.map(function (c) {
      return {
        key: c.cun,
        cells: [c.cun, label('type', c.type), label('status', c.status), brandName(c.brand), label('channel', c.channel), dateFormat.format(new Date(c.filedAt)), c.daysOpen, c.light ? label('light', c.light) : 'Sin plazo pendiente'],
      };
    });
    var data = { columns: ['CUN', 'Tipo', 'Estado', 'Marca', 'Canal', 'Radicada', 'Días abiertos', 'Semáforo'], rows: rows, chart: null, emptyText: 'No hay casos abiertos con estos filtros.' };
    return figure('oldest', 'Casos abiertos más antiguos', 'Los ' + rows.length + ' casos abiertos radicados hace más tiempo.', data, period, true);
  }

  /** CSAT by week and by agent; until ratings are stored (the summary says `available: false`) one figure says so. */
  function csatFigures(summary, period) {
    var csat = summary.csat;
    var title = 'Satisfacción (CSAT) por semana';
    if (!csat.available) {
      return [figure('csat', title + ' y por agente', null, { columns: [], rows: [], emptyText: 'Aún no hay calificaciones de satisfacción registradas: este gráfico se llenará cuando los usuarios califiquen la atención.' }, period)];
    }
    var byWeek = {};
    csat.byWeek.forEach(function (w) {
      byWeek[w.weekStart] = w.average;
    });
    var weeks = summary.weeks.map(function (w) {
      return byWeek[w] || 0;
    });
    var agents = csat.byAgent.map(function (a) {
      return { key: a.agent, label: a.agent, value: a.average };
    });
    return [
      figure('csat', title, 'Promedio de las calificaciones de la semana.', weekly(summary, [{ label: 'CSAT promedio', values: weeks }], false), period),
      figure('csat-agents', 'Satisfacción (CSAT) por agente', 'Promedio de las calificaciones del periodo.', categories(agents, 'Agente', 'CSAT promedio'), period),
    ];
  }

  // ---- filters and loading ----------------------------------------------------------------

  function fillSelect(select, entries) {
    entries.forEach(function (entry) {
      var option = el('option', null, entry[1]);
      option.value = entry[0];
      select.appendChild(option);
    });
  }

  function loadOptions() {
    if (state.options) return Promise.resolve();
    return request('/options').then(function (options) {
      state.options = options;
      var form = $('dashboard-filters');
      fillSelect(form.elements.type, options.types.map(function (t) { return [t, label('type', t)]; }));
      fillSelect(form.elements.brand, options.brands.map(function (b) { return [b.id, b.name]; }).concat([['no_cliente', 'No cliente']]));
      fillSelect(form.elements.channel, Object.keys(L.channel).filter(function (c) { return c !== 'email'; }).map(function (c) { return [c, L.channel[c]]; }));
    });
  }

  function query() {
    var form = $('dashboard-filters');
    var params = new URLSearchParams();
    ['from', 'to', 'type', 'brand', 'channel'].forEach(function (name) {
      if (form.elements[name].value) params.set(name, form.elements[name].value);
    });
    return params.toString();
  }

  function load() {
    $('dashboard-error').hidden = true;
    $('dashboard-status').textContent = 'Cargando el tablero…';
    return loadOptions()
      .then(function () {
        return request('/reports/summary?' + query());
      })
      .then(function (summary) {
        var form = $('dashboard-filters');
        form.elements.from.value = summary.period.from;
        form.elements.to.value = summary.period.to;
        render(summary);
        state.loaded = true;
        $('dashboard-status').textContent =
          summary.totals.filed === 0
            ? 'No hay PQR radicadas entre el ' + longWeekFormat.format(new Date(summary.period.from)) + ' y el ' + longWeekFormat.format(new Date(summary.period.to)) + ' con estos filtros.'
            : 'Tablero actualizado: ' + numberFormat.format(summary.totals.filed) + ' PQR radicadas en el periodo.';
      })
      .catch(function (error) {
        $('dashboard-status').textContent = '';
        if (error.status === 401) return;
        $('dashboard-error').textContent = errorText(error);
        $('dashboard-error').hidden = false;
      });
  }

  $('dashboard-filters').addEventListener('submit', function (event) {
    event.preventDefault();
    load();
  });

  $('dashboard-regulatory').addEventListener('click', function () {
    var form = $('dashboard-filters');
    request('/reports/regulatory.csv?' + query(), true)
      .then(function (blob) {
        download(blob, 'pqr-regulatorio-' + form.elements.from.value + '-' + form.elements.to.value + '.csv');
      })
      .catch(function (error) {
        if (error.status === 401) return;
        $('dashboard-error').textContent = errorText(error);
        $('dashboard-error').hidden = false;
      });
  });

  // ---- views ------------------------------------------------------------------------------

  function showView(dashboard) {
    $('workspace').hidden = dashboard;
    $('dashboard').hidden = !dashboard;
    $('view-queue').setAttribute('aria-pressed', String(!dashboard));
    $('view-dashboard').setAttribute('aria-pressed', String(dashboard));
    if (dashboard && !state.loaded) load();
  }

  $('view-queue').addEventListener('click', function () {
    showView(false);
  });
  $('view-dashboard').addEventListener('click', function () {
    showView(true);
  });

  document.addEventListener('backoffice:signed-in', function (event) {
    state.session = event.detail;
    $('views').hidden = state.session.agent.role !== 'supervisor';
    showView(false);
  });

  document.addEventListener('backoffice:signed-out', function () {
    state.session = null;
    state.loaded = false;
    $('views').hidden = true;
    $('dashboard').hidden = true;
  });
})();

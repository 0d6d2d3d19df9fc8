/* The web chat page: gets a Direct Line token from this server, keeps it for the tab's session so
   a reload resumes the same conversation, and renders the official Web Chat against it. */
(function () {
  'use strict';

  var API = location.origin + '/v3/directline';
  var STORAGE_KEY = 'pqr.webchat.session';

  // /config.js always sets PQR_CONFIG (validated and filled with defaults on the server).
  var config = window.PQR_CONFIG;
  var strings = config.texts;

  var statusBox = document.getElementById('status');
  var statusText = document.getElementById('status-text');
  var retryButton = document.getElementById('retry');
  var newConversationButton = document.getElementById('new-conversation');
  var container = document.getElementById('webchat');
  var startingOver = false;

  // The server computed the readable text colour for the brand colour (see page.ts).
  var onBrand = getComputedStyle(document.documentElement).getPropertyValue('--on-brand').trim();

  function showStatus(text, canRetry) {
    statusText.textContent = text;
    retryButton.hidden = !canRetry;
    statusBox.hidden = false;
  }

  function loadSession() {
    try {
      return JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
    } catch (e) {
      return null;
    }
  }

  function saveSession(session) {
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ conversationId: session.conversationId, token: session.token }));
    } catch (e) {
      // Private modes may refuse storage: the chat still works, a reload just starts over.
    }
  }

  function call(path, token) {
    var headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(API + path, { method: 'POST', headers: headers, credentials: 'omit' }).then(function (response) {
      if (!response.ok) {
        var error = new Error('HTTP ' + response.status);
        error.status = response.status;
        throw error;
      }
      return response.json();
    });
  }

  /** Resumes this tab's conversation while its token is still valid, or starts a new one. */
  function obtainSession() {
    var saved = loadSession();
    var resume = saved && saved.token
      ? call('/tokens/refresh', saved.token).then(function (session) {
          return { session: session, resumed: true };
        })
      : Promise.reject(null);
    return resume.catch(function (error) {
      if (error && !(error.status >= 400 && error.status < 500)) throw error;
      return call('/tokens/generate').then(function (session) {
        return { session: session, resumed: false };
      });
    });
  }

  function render(result) {
    var session = result.session;
    saveSession(session);

    var store = window.WebChat.createStore({}, function (api) {
      return function (next) {
        return function (action) {
          if (action.type === 'WEB_CHAT/SUBMIT_SEND_BOX') {
            // The server refuses longer messages (413): say so here, and keep the text so it can be shortened.
            if (Array.from(api.getState().sendBoxValue || '').length > config.maxTextChars) {
              api.dispatch({ type: 'WEB_CHAT/SET_NOTIFICATION', payload: { id: 'too-long', level: 'warn', message: strings.tooLong } });
              return undefined;
            }
            api.dispatch({ type: 'WEB_CHAT/DISMISS_NOTIFICATION', payload: { id: 'too-long' } });
          } else if (action.type === 'DIRECT_LINE/CONNECT_FULFILLED') {
            statusBox.hidden = true;
            newConversationButton.hidden = false;
            // A new conversation asks the bot to greet first; a resumed one already has its history.
            if (!result.resumed) {
              api.dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: 'webchat/join', value: { locale: config.locale } } });
            }
          } else if (action.type === 'DIRECT_LINE/CONNECT_REJECTED') {
            showStatus(strings.failed, true);
          }
          return next(action);
        };
      };
    });

    var directLine = window.WebChat.createDirectLine({ domain: API, token: session.token, webSocket: false });

    // Direct Line refreshes its token every 15 minutes; keep the latest for a reload.
    function remember() {
      if (directLine.token && !startingOver) saveSession({ conversationId: session.conversationId, token: directLine.token });
    }
    setInterval(remember, 60 * 1000);
    window.addEventListener('pagehide', remember);

    window.WebChat.renderWebChat(
      {
        directLine: directLine,
        store: store,
        locale: config.locale,
        overrideLocalizedStrings: {
          TEXT_INPUT_PLACEHOLDER: strings.placeholder,
          CONNECTIVITY_STATUS_ALT_RENDER_ERROR: strings.renderError,
        },
        styleOptions: {
          accent: config.brandColor,
          primaryFont: getComputedStyle(document.documentElement).fontFamily,
          backgroundColor: '#ffffff',
          bubbleBackground: '#eef1f5',
          bubbleBorderWidth: 0,
          bubbleBorderRadius: 12,
          bubbleFromUserBackground: config.brandColor,
          bubbleFromUserTextColor: onBrand,
          bubbleFromUserBorderWidth: 0,
          bubbleFromUserBorderRadius: 12,
          bubbleMaxWidth: 560,
          hideUploadButton: true,
          sendBoxButtonColor: config.brandColor,
          sendBoxHeight: 52,
          suggestedActionLayout: 'flow',
          suggestedActionBorderColor: config.brandColor,
          suggestedActionTextColor: config.brandColor,
          suggestedActionBorderRadius: 16,
          suggestedActionHeight: 36,
          rootHeight: '100%',
          rootWidth: '100%',
        },
      },
      container
    );
  }

  retryButton.addEventListener('click', function () {
    location.reload();
  });
  newConversationButton.addEventListener('click', function () {
    startingOver = true;
    try {
      sessionStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      // Nothing stored: a reload starts a new conversation anyway.
    }
    location.reload();
  });

  showStatus(strings.connecting, false);
  obtainSession().then(render, function () {
    showStatus(strings.failed, true);
  });
})();

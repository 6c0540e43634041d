/*
 * A Deskpro ticket-sidebar app in plain browser JavaScript: no build step, no Node.js.
 *
 * Deskpro frames html/index.html (this page) in the agent's ticket sidebar. The SDK loaded by the
 * page (global DeskproAppsSDKCore) connects to the helpdesk and hands this script a client,
 * `dpapp`, through which everything goes: the ticket being viewed, the agent, storage, requests.
 */
(function () {
  'use strict';

  var root = document.getElementById('app');

  function part(role) {
    return root.querySelector('[data-role="' + role + '"]');
  }

  function show(role, text) {
    var element = part(role);
    if (text !== undefined) {
      element.textContent = text;
    }
    element.hidden = false;
    return element;
  }

  function hide(role) {
    part(role).hidden = true;
  }

  function showError(message) {
    hide('status');
    show('error', message);
  }

  function describe(error) {
    if (!error) {
      return 'unknown error';
    }
    return error.message || (typeof error === 'string' ? error : JSON.stringify(error));
  }

  function renderDetails(rows) {
    var list = part('details');
    list.textContent = '';
    rows.forEach(function (row) {
      var term = document.createElement('dt');
      var value = document.createElement('dd');
      term.textContent = row[0];
      value.textContent = row[1] === null || row[1] === undefined || row[1] === '' ? '—' : row[1];
      list.appendChild(term);
      list.appendChild(value);
    });
    list.hidden = false;
  }

  // The ticket this sidebar is shown beside: each get() asks the helpdesk for one property.
  function loadTicket(dpapp) {
    var ticket = dpapp.context.get('ticket');
    return Promise.all([ticket.get('data.subject'), ticket.get('data.person_email')]).then(
      function (values) {
        return [
          ['Ticket', '#' + ticket.id],
          ['Subject', values[0]],
          ["Owner's e-mail", values[1]]
        ];
      }
    );
  }

  function refresh(dpapp) {
    hide('error');
    show('status', 'Loading…');
    if (!dpapp.context.available('ticket')) {
      hide('status');
      renderDetails([['Shown on', dpapp.context.getProperty('contextType') || 'this page']]);
      return Promise.resolve();
    }
    return loadTicket(dpapp).then(
      function (rows) {
        hide('status');
        renderDetails(rows);
      },
      function (error) {
        showError('Could not read the ticket: ' + describe(error));
      }
    );
  }

  function start(dpapp) {
    // createApp calls back with an error instead of a client when the helpdesk cannot be reached.
    if (!dpapp || typeof dpapp.getProperty !== 'function') {
      showError('Could not connect to Deskpro: ' + describe(dpapp));
      return;
    }
    if (dpapp.appTitle) {
      part('title').textContent = dpapp.appTitle;
    }
    dpapp.context.getMe().then(
      function (me) {
        if (me && me.name) {
          show('greeting', 'Hello, ' + me.name + '.');
        }
      },
      function () {
        /* the greeting is optional */
      }
    );
    var button = show('refresh');
    button.addEventListener('click', function () {
      button.disabled = true;
      refresh(dpapp).then(function () {
        button.disabled = false;
      });
    });
    refresh(dpapp);
  }

  if (!window.DeskproAppsSDKCore) {
    showError('The Deskpro apps SDK did not load: check the network and the script tag.');
    return;
  }
  window.DeskproAppsSDKCore.createApp(start);
})();

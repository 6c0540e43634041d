/*
 * The sidebar of the GitHub integration (Deskpro's OAuth guide), in plain browser JavaScript.
 *
 * For the ticket an agent has open it finds the GitHub user whose public e-mail is the ticket
 * owner's and lists their repositories. Every GitHub call goes through Deskpro's proxy
 * (dpapp.restApi.fetchCORS) and carries the placeholder {{oauth:github:tokens}} instead of the
 * agent's token: the proxy fills in the token stored for this agent, and only forwards to hosts
 * the manifest's externalApis allow. The page holds a token only for the moment between getting
 * a new one (requestAccess) and storing it.
 */
(function () {
  'use strict';

  var PROVIDER = 'github';
  var TOKEN_STORAGE = 'oauth:github:tokens';
  var API = 'https://api.github.com';
  // Written as a plain string: the proxy, not this script, fills in the stored token.
  var AUTHORIZATION = 'token {{' + TOKEN_STORAGE + '}}';

  var root = document.getElementById('app');

  function part(role) {
    return root.querySelector('[data-role="' + role + '"]');
  }

  function setText(role, text) {
    var element = part(role);
    element.textContent = text;
    element.hidden = false;
    return element;
  }

  function hide(role) {
    part(role).hidden = true;
  }

  function describe(error) {
    if (!error) {
      return 'unknown error';
    }
    if (error.message) {
      return error.message;
    }
    return typeof error === 'string' ? error : JSON.stringify(error);
  }

  function GitHubError(status, message) {
    this.status = status;
    this.message = message;
  }

  // One GitHub API call through Deskpro's proxy; resolves with the parsed JSON body.
  function github(dpapp, path) {
    var init = {
      method: 'GET',
      headers: {
        Accept: 'application/vnd.github+json',
        Authorization: AUTHORIZATION
      }
    };
    return dpapp.restApi.fetchCORS(API + path, init).then(function (response) {
      var body = response.body;
      if (typeof body === 'string' && body !== '') {
        try {
          body = JSON.parse(body);
        } catch (ignored) {
          /* keep the text */
        }
      }
      if (response.status < 200 || response.status >= 300) {
        var detail = body && body.message ? body.message : 'HTTP ' + response.status;
        throw new GitHubError(response.status, 'GitHub answered ' + path + ': ' + detail);
      }
      return body;
    });
  }

  // The agent's GitHub login; asks Deskpro for a new token when there is none or it was revoked.
  function signIn(dpapp) {
    return github(dpapp, '/user').catch(function (error) {
      if (!(error instanceof GitHubError) || (error.status !== 401 && error.status !== 403)) {
        throw error;
      }
      setText('status', 'Connecting your GitHub account…');
      return dpapp.oauth
        .requestAccess(PROVIDER, { protocolVersion: '2.0' })
        .then(function (token) {
          return dpapp.storage.setAppStorage(TOKEN_STORAGE, token.access_token);
        })
        .then(function () {
          return github(dpapp, '/user');
        });
    });
  }

  function findUser(dpapp, email) {
    var query = encodeURIComponent(email + ' in:email');
    return github(dpapp, '/search/users?q=' + query).then(function (result) {
      var items = (result && result.items) || [];
      return items.length ? items[0].login : null;
    });
  }

  function listRepositories(dpapp, login) {
    var path = '/users/' + encodeURIComponent(login) + '/repos?sort=updated&per_page=30';
    return github(dpapp, path);
  }

  function renderRepositories(repositories) {
    var list = part('repositories');
    list.textContent = '';
    repositories.forEach(function (repository) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = repository.html_url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.textContent = repository.full_name || repository.name;
      item.appendChild(link);
      if (repository.description) {
        var text = document.createElement('p');
        text.className = 'dp-muted';
        text.textContent = repository.description;
        item.appendChild(text);
      }
      list.appendChild(item);
    });
    list.hidden = repositories.length === 0;
  }

  function load(dpapp) {
    hide('error');
    hide('retry');
    hide('repositories');
    setText('status', 'Loading…');
    if (!dpapp.context.available('ticket')) {
      setText('status', 'Open a ticket to see its owner on GitHub.');
      return Promise.resolve();
    }
    var email = null;
    return dpapp.context
      .get('ticket')
      .get('data.person_email')
      .then(function (value) {
        if (!value) {
          throw new Error("this ticket's owner has no e-mail address");
        }
        email = value;
        return signIn(dpapp);
      })
      .then(function () {
        return findUser(dpapp, email);
      })
      .then(function (login) {
        if (!login) {
          setText('owner', email);
          setText('status', 'No GitHub user shows this e-mail address publicly.');
          return;
        }
        setText('owner', email + ' is ' + login + ' on GitHub.');
        return listRepositories(dpapp, login).then(function (repositories) {
          renderRepositories(repositories);
          setText(
            'status',
            repositories.length
              ? repositories.length + ' recently updated repositories:'
              : login + ' has no public repositories.'
          );
        });
      })
      .catch(function (error) {
        hide('status');
        setText('error', 'Could not load GitHub data: ' + describe(error));
        part('retry').hidden = false;
      });
  }

  function start(dpapp) {
    // createApp calls back with an error instead of a client when the helpdesk cannot be reached.
    if (!dpapp || typeof dpapp.getProperty !== 'function') {
      hide('status');
      setText('error', 'Could not connect to Deskpro: ' + describe(dpapp));
      return;
    }
    part('retry').addEventListener('click', function () {
      load(dpapp);
    });
    load(dpapp);
  }

  if (!window.DeskproAppsSDKCore) {
    hide('status');
    setText('error', 'The Deskpro apps SDK did not load: check the network and the script tag.');
    return;
  }
  window.DeskproAppsSDKCore.createApp(start);
})();

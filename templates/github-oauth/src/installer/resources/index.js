/*
 * The GitHub integration's install screen, in plain browser JavaScript.
 *
 * The installer page (html/install.html, added by `deskpro package`) loads this file and hands
 * the screen the installer's props: finishInstall, installType, settings, values, settingsForm
 * and dpapp (the SDK client). The screen:
 *   1. fills the callback URL from Deskpro's OAuth settings for GitHub (the admin registers that
 *      URL with their GitHub OAuth App);
 *   2. on submit registers the connection (stored by Deskpro in the backend-only item
 *      oauth:github), then requests an access token, which proves the client ID and secret;
 *   3. finishes the install with the secret masked: the real one stays only in oauth:github.
 */
(function () {
  'use strict';

  var PROVIDER = 'github';
  var MASK = '***';

  if (!window.DeskproInstaller || typeof window.DeskproInstaller.registerScreen !== 'function') {
    throw new Error('this screen must be loaded by the Deskpro installer page (html/install.html)');
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
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

  var FAILURES = {
    register: 'Deskpro could not store the GitHub connection',
    authorize:
      'GitHub did not grant access with these settings. Check the client ID and secret of your ' +
      'OAuth App, and that its authorization callback URL is the one shown above'
  };

  function mount(target, props) {
    var dpapp = props.dpapp;
    var values = Object.assign({}, props.values || {});
    // On an update the stored secret is the mask: ask for the real one again.
    if (values.githubClientSecret === MASK) {
      values.githubClientSecret = '';
    }

    var screen = element('div', 'github-install');
    screen.appendChild(
      element(
        'p',
        null,
        'Create an OAuth App on GitHub (Settings, Developer settings, OAuth Apps) with this ' +
          'authorization callback URL, then enter its client ID and secret below.'
      )
    );
    var callback = element('p', 'github-install__callback');
    var callbackUrl = element('code', null, 'reading the callback URL from Deskpro…');
    callback.appendChild(callbackUrl);
    screen.appendChild(callback);
    var formHost = element('div');
    screen.appendChild(formHost);
    var error = element('p', 'github-install__error');
    error.setAttribute('role', 'alert'); // read out as soon as it is shown
    error.hidden = true;
    screen.appendChild(error);
    var updating = props.installType === 'update';
    var button = element(
      'button',
      'dpi-button btn-action',
      updating ? 'Connect to GitHub and save' : 'Connect to GitHub and install'
    );
    button.type = 'button';
    button.disabled = true;
    screen.appendChild(button);
    target.appendChild(screen);

    var form = null;
    var busy = false;

    function fail(step, reason) {
      busy = false;
      button.disabled = false;
      if (step === 'install') {
        return; // the installer page itself says why saving or finishing failed
      }
      error.textContent = FAILURES[step] + ' (' + describe(reason) + ').';
      error.hidden = false;
    }

    function onSubmit(submitted) {
      if (busy) {
        return;
      }
      busy = true;
      button.disabled = true;
      error.hidden = true;
      var step = 'register';
      var connection = {
        urlAuthorize: 'https://github.com/login/oauth/authorize',
        urlAccessToken: 'https://github.com/login/oauth/access_token',
        urlRedirect: submitted.githubCallbackURL,
        clientId: submitted.githubClientId,
        clientSecret: submitted.githubClientSecret
      };
      dpapp.oauth
        .register(PROVIDER, connection)
        .then(function () {
          step = 'authorize';
          return dpapp.oauth.requestAccess(PROVIDER, { protocolVersion: '2.0' });
        })
        .then(function () {
          step = 'install';
          var masked = Object.assign({}, submitted, { githubClientSecret: MASK });
          return props.finishInstall(masked);
        })
        .then(function (result) {
          return result.onStatus();
        })
        .catch(function (reason) {
          fail(step, reason);
        });
    }

    function showForm() {
      formHost.textContent = '';
      form = props.settingsForm.render(formHost, {
        settings: props.settings,
        values: values,
        onSubmit: onSubmit
      });
      // Keep the secret off the screen (the form renders every text setting as plain text).
      var secret = formHost.querySelector('[name="githubClientSecret"]');
      if (secret) {
        secret.type = 'password';
        secret.autocomplete = 'off';
      }
      button.disabled = false;
    }

    button.addEventListener('click', function () {
      if (form && !busy) {
        form.submit();
      }
    });

    dpapp.oauth
      .settings(PROVIDER)
      .then(function (settings) {
        values.githubCallbackURL = settings.urlRedirect;
        callbackUrl.textContent = settings.urlRedirect;
        showForm();
      })
      .catch(function (reason) {
        callbackUrl.textContent = 'unknown';
        error.textContent =
          'Deskpro did not give the callback URL (' + describe(reason) + '); enter it yourself.';
        error.hidden = false;
        showForm();
      });

    return function unmount() {
      if (screen.parentNode) {
        screen.parentNode.removeChild(screen);
      }
    };
  }

  window.DeskproInstaller.registerScreen({ mount: mount });
})();

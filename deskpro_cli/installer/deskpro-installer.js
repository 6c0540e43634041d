/*
 * deskpro-installer.js: the installer page of a Deskpro app (html/install.html), written for
 * deskpro-cli. Plain browser JavaScript, no dependencies besides Deskpro's apps SDK
 * (window.DeskproAppsSDKCore, @deskpro/apps-sdk-core 2.0.0), no build step.
 *
 * What it does, in the old installer's order (spec/deskpro-host-protocol.md §3.2):
 *   1. get apps/packages/<appId>/manifest       4. get apps/packages/<appId>/manifest-changes
 *   2. get helpdesk/discover                       (skipped when an update finds it installed)
 *   3. update only: batch read of the current   5. on finish: post batch, one PUT per setting
 *      values, get apps/<instanceId>/status      6. post batch of new custom fields, then
 *                                                  put apps/<instanceId> {is_installed: true}
 *                                               7. dpapp.emit(onInstallStatus, {status, manifest})
 * Between 4 and 5 it shows the settings screen: the default form, or the app's own screen that
 * registered with window.DeskproInstaller.registerScreen(...) (see README, "Custom installer
 * screens").
 */
(function () {
  "use strict";

  var SCREEN_WAIT_MS = 5000; // how long a late custom screen may take to register
  var dataElement = document.getElementById("deskpro-installer-data");
  var PAGE = dataElement ? JSON.parse(dataElement.textContent) : { settings: [], screen: "default" };
  var registered = null;
  var onRegistered = null;

  // -- small DOM helpers --------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === false || value === null || value === undefined) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key.indexOf("on") === 0) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function main() { return document.getElementById("deskpro-installer"); }

  function showMessage(text, kind) {
    var box = document.getElementById("dpi-message");
    box.textContent = text || "";
    box.className = "dpi-message" + (kind ? " dpi-message--" + kind : "");
    box.hidden = !text;
  }

  // The helpdesk answers an API call with {status, body, headers}. An HTTP error status in that
  // answer, or in one entry of a batch answer, is a failure, not a saved value.
  function httpError(status, answer, names) {
    var said = answer && (answer.message || (answer.error && answer.error.message));
    var what = (names ? names.join(", ") + " (" : "") + "HTTP " + status + (said ? ": " + said : "");
    return new Error(what + (names ? ")" : ""));
  }

  function checked(response) {
    var status = response && response.status;
    if (typeof status === "number" && status >= 400) throw httpError(status, response.body);
    var responses = response && response.body && response.body.responses;
    var failed = Object.keys(responses || {}).filter(function (name) {
      var headers = responses[name] && responses[name].headers;
      return headers && Number(headers["status-code"]) >= 400;
    });
    if (failed.length) {
      var first = responses[failed[0]];
      throw httpError(Number(first.headers["status-code"]), first, failed);
    }
    return response;
  }

  function describe(err) {
    if (!err) return "unknown error";
    if (typeof err === "string") return err;
    if (err.message) return err.message;
    if (err.body && err.body.message) return err.body.message;
    try { return JSON.stringify(err); } catch (e) { return String(err); }
  }

  // -- the settings form ----------------------------------------------------------------------
  function labelOf(setting) {
    // Deliberately the manifest's `title` (the old installer humanised `name`; see README).
    return setting.title || setting.name;
  }

  function initialValue(setting, values) {
    var value = values ? values[setting.name] : undefined;
    if (value !== undefined && value !== null) return value;
    if (setting.defaultValue !== undefined) return setting.defaultValue;
    if (setting.type === "boolean") return false;
    if (setting.type === "choice" && setting.multi) return [];
    return setting.type === "choice" ? null : "";
  }

  function sameValue(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function labelNode(tag, forId, setting, required) {
    var mark = required
      ? el("span", { className: "dpi-field__required", "aria-hidden": "true", text: " *" })
      : null;
    return el(tag, { className: "dpi-field__label", "for": forId },
      [document.createTextNode(labelOf(setting)), mark]);
  }

  function checkbox(id, name, value, checked, text) {
    var box = el("input", { type: "checkbox", id: id, name: name, value: value, checked: checked });
    return { box: box, label: el("label", { className: "dpi-field__check", "for": id },
      [box, document.createTextNode(" " + text)]) };
  }

  // The "Show"/"Hide" button beside a masked field. Its accessible name ("Show Client secret")
  // comes from its text, part of it visually hidden, not from an aria-label: a label lookup for
  // the field then finds only the field.
  function revealButton(input, setting) {
    var word = el("span", { text: "Show" });
    var button = el("button", {
      type: "button", className: "dpi-reveal", "aria-controls": input.id, "aria-pressed": "false"
    }, [word, el("span", { className: "dpi-sr-only", text: " " + labelOf(setting) })]);
    button.addEventListener("click", function () {
      var shown = input.type === "password";
      input.type = shown ? "text" : "password";
      word.textContent = shown ? "Hide" : "Show";
      button.setAttribute("aria-pressed", shown ? "true" : "false");
    });
    return button;
  }

  // One field: builds its DOM and knows how to read and check its value.
  function buildField(setting, id, values) {
    var errorId = id + "-error";
    var value = initialValue(setting, values);
    var required = setting.required === true;
    var choices = Array.isArray(setting.choices) ? setting.choices : [];
    var error = el("p", { className: "dpi-field__error", id: errorId, hidden: true });
    var wrapper = el("div", {
      className: "dpi-field dpi-field--" + String(setting.type || "text").replace(/\W/g, "-"),
      "data-setting": setting.name
    });
    var read;
    var focusable;

    function choiceText(choice) { return choice.title || String(choice.value); }

    if (setting.type === "boolean") {
      var single = checkbox(id, setting.name, "true", value === true, labelOf(setting));
      focusable = single.box;
      wrapper.appendChild(single.label);
      read = function () { return focusable.checked; };
    } else if (setting.type === "choice" && setting.multi) {
      // A group of checkboxes; each box's value is the index of its choice.
      var group = choices.map(function (choice, i) {
        var on = Array.isArray(value) && value.some(function (v) { return sameValue(v, choice.value); });
        return checkbox(id + "-" + i, setting.name, String(i), on, choiceText(choice));
      });
      wrapper.appendChild(el("fieldset", { className: "dpi-field__group" },
        [labelNode("legend", null, setting, required)].concat(group.map(function (c) { return c.label; }))));
      focusable = group.length ? group[0].box : null;
      read = function () {
        return group.filter(function (c) { return c.box.checked; })
          .map(function (c) { return choices[Number(c.box.value)].value; });
      };
    } else if (setting.type === "choice") {
      // Options carry the index of their choice, so numbers and booleans keep their type.
      var options = [el("option", { value: "", text: "Choose…" })].concat(choices.map(function (choice, i) {
        return el("option", { value: String(i), text: choiceText(choice), selected: sameValue(choice.value, value) });
      }));
      focusable = el("select", { id: id, name: setting.name, required: required }, options);
      wrapper.appendChild(labelNode("label", id, setting, required));
      wrapper.appendChild(focusable);
      read = function () { return focusable.value === "" ? null : choices[Number(focusable.value)].value; };
    } else {
      // text, textarea, and any type this runtime does not know (shown as text). A backend-only
      // text setting holds a secret: masked as it is typed, with a button to show it.
      var secret = setting.isBackendOnly === true && setting.type !== "textarea";
      focusable = setting.type === "textarea"
        ? el("textarea", { id: id, name: setting.name, rows: "4", required: required })
        : el("input", {
          type: secret ? "password" : "text", id: id, name: setting.name,
          autocomplete: secret ? "new-password" : "off", spellcheck: secret ? "false" : null,
          required: required
        });
      focusable.value = value === null || value === undefined ? "" : String(value);
      wrapper.appendChild(labelNode("label", id, setting, required));
      wrapper.appendChild(secret
        ? el("div", { className: "dpi-field__secret" }, [focusable, revealButton(focusable, setting)])
        : focusable);
      read = function () { return focusable.value; };
    }
    if (focusable) focusable.setAttribute("aria-describedby", errorId);
    wrapper.appendChild(error);

    function check() {
      var v = read();
      var empty = v === null || v === "" || (Array.isArray(v) && v.length === 0) ||
        (typeof v === "string" && v.trim() === "");
      if (required && empty && setting.type !== "boolean") {
        return labelOf(setting) + " is required.";
      }
      var validator = setting.validator;
      if (!empty && typeof v === "string" && validator && validator.type === "regex") {
        var pattern;
        try {
          pattern = new RegExp(validator.pattern);
        } catch (e) {
          console.warn("deskpro-installer: setting " + setting.name + " has an invalid pattern",
            validator.pattern);
          return null;
        }
        if (!pattern.test(v)) {
          return labelOf(setting) + " must match the pattern " + validator.pattern + ".";
        }
      }
      return null;
    }

    function showError(message) {
      error.textContent = message || "";
      error.hidden = !message;
      wrapper.classList.toggle("dpi-field--invalid", !!message);
      if (focusable) focusable.setAttribute("aria-invalid", message ? "true" : "false");
    }

    return {
      setting: setting, node: wrapper, read: read, check: check, showError: showError,
      focus: function () { if (focusable) focusable.focus(); }
    };
  }

  /**
   * Render the settings form into `element`. Returns {submit(), values(), validate()}:
   * submit() validates, shows the messages and, when every field is valid, calls
   * onSubmit(values) with the typed values ({name: value}); it returns whether it did.
   */
  var formCount = 0;

  function renderSettingsForm(element, options) {
    var settings = (options && options.settings) || [];
    var prefix = "dpi-form" + (++formCount) + "-setting-"; // unique ids, however many forms
    var fields = settings.map(function (setting, i) {
      return buildField(setting, prefix + i, options.values || {});
    });
    var form = el("form", { className: "dpi-form", novalidate: true },
      fields.map(function (f) { return f.node; }));
    element.textContent = "";
    element.appendChild(form);

    function values() {
      var out = {};
      fields.forEach(function (f) { out[f.setting.name] = f.read(); });
      return out;
    }
    function validate() {
      var firstInvalid = null;
      fields.forEach(function (f) {
        var message = f.check();
        f.showError(message);
        if (message && !firstInvalid) firstInvalid = f;
      });
      if (firstInvalid) firstInvalid.focus();
      return firstInvalid === null;
    }
    function submit() {
      if (!validate()) return false;
      if (options.onSubmit) options.onSubmit(values());
      return true;
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); submit(); });
    return { submit: submit, values: values, validate: validate, element: form };
  }

  // The same form as a React component, for React screens (made with the screen's React).
  function reactSettingsForm(React) {
    function SettingsForm(props) {
      React.Component.call(this, props);
      this.container = null;
      this.form = null;
      var self = this;
      this.setContainer = function (node) { self.container = node; };
    }
    SettingsForm.prototype = Object.create(React.Component.prototype);
    SettingsForm.prototype.constructor = SettingsForm;
    SettingsForm.prototype.draw = function () {
      var self = this;
      this.form = renderSettingsForm(this.container, {
        settings: this.props.settings, values: this.props.values,
        onSubmit: function (values) { if (self.props.onSubmit) self.props.onSubmit(values); }
      });
    };
    SettingsForm.prototype.componentDidMount = function () { this.draw(); };
    SettingsForm.prototype.componentDidUpdate = function (prev) {
      if (prev.settings !== this.props.settings || prev.values !== this.props.values) this.draw();
    };
    SettingsForm.prototype.submit = function () { return this.form ? this.form.submit() : false; };
    SettingsForm.prototype.values = function () { return this.form ? this.form.values() : {}; };
    SettingsForm.prototype.render = function () {
      return React.createElement("div", { className: "dpi-settings-form", ref: this.setContainer });
    };
    SettingsForm.displayName = "DeskproSettingsForm";
    return SettingsForm;
  }

  // -- custom screens -------------------------------------------------------------------------
  function registerScreen(screen) {
    var ok = screen && (typeof screen.mount === "function" || screen.react);
    if (!ok) {
      throw new TypeError("DeskproInstaller.registerScreen expects {mount(element, props)} or " +
        "{react: Component, React, ReactDOM}");
    }
    if (screen.react && !((screen.React || window.React) && (screen.ReactDOM || window.ReactDOM))) {
      throw new TypeError("DeskproInstaller.registerScreen: a React screen needs React and ReactDOM");
    }
    registered = screen;
    if (onRegistered) onRegistered(screen);
  }

  function waitForScreen() {
    if (PAGE.screen !== "custom") return Promise.resolve(null);
    if (registered) return Promise.resolve(registered);
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        reject(new Error("the custom installer screen (assets/install-screen/index.js) did not " +
          "call DeskproInstaller.registerScreen(...)"));
      }, SCREEN_WAIT_MS);
      onRegistered = function (screen) { clearTimeout(timer); resolve(screen); };
    });
  }

  // Mounts a screen into `element`; returns a function that unmounts it.
  function mountScreen(screen, element, props) {
    if (typeof screen.mount === "function") {
      var cleanup = screen.mount(element, props);
      return typeof cleanup === "function" ? cleanup : function () {};
    }
    var React = screen.React || window.React;
    var ReactDOM = screen.ReactDOM || window.ReactDOM;
    var reactProps = Object.assign({}, props, { settingsForm: reactSettingsForm(React) });
    var node = React.createElement(screen.react.default || screen.react, reactProps);
    if (typeof ReactDOM.createRoot === "function") {
      var root = ReactDOM.createRoot(element);
      root.render(node);
      return function () { root.unmount(); };
    }
    ReactDOM.render(node, element);
    return function () { ReactDOM.unmountComponentAtNode(element); };
  }

  // The default screen: the form and one button. With no settings it finishes at once (the
  // button stays for a retry when that fails).
  var defaultScreen = {
    mount: function (element, props) {
      var form = null;
      var button = el("button", {
        type: "button", className: "dpi-button btn-action",
        text: !props.settings.length ? "Finish installation"
          : props.installType === "update" ? "Save settings" : "Install",
        onclick: function () { if (form) form.submit(); else finish(null); }
      });
      function finish(values) {
        button.disabled = true;
        props.finishInstall(values)
          .then(function (result) { return result.onStatus(); })
          .catch(function () { /* the runtime shows the error and this screen again */ })
          .then(function () { button.disabled = false; });
      }
      if (props.settings.length) {
        var holder = el("div", { className: "dpi-settings" });
        element.appendChild(holder);
        form = props.settingsForm.render(holder, { settings: props.settings, values: props.values, onSubmit: finish });
      } else {
        element.appendChild(el("p", { text: "This app has no settings." }));
      }
      element.appendChild(el("div", { className: "dpi-actions" }, [button]));
      if (!props.settings.length) finish(null);
    }
  };

  // -- the install sequence -------------------------------------------------------------------
  function capitalise(text) { return text.charAt(0).toUpperCase() + text.slice(1); }

  var CUSTOM_FIELD_URLS = {
    ticket: "/ticket_custom_fields", person: "/person_custom_fields", organization: "/organization_custom_fields"
  };

  function start(dpapp) {
    var api = dpapp.restApi;
    var appId = dpapp.appId;
    var instanceId = dpapp.instanceId;
    var installType = dpapp.getProperty("installType") === "update" ? "update" : "install";
    var onInstallStatus = dpapp.getProperty("onInstallStatus");
    var settings = Array.isArray(PAGE.settings) ? PAGE.settings : [];
    var state = { manifest: null, helpdeskUrl: null, installed: false, changes: [], values: {}, customFieldsDone: false };
    var screenNode = el("div", { className: "dpi-screen" });
    var progressNode = el("div", { className: "dpi-progress", hidden: true, role: "status" });
    var unmount = null;

    function body(response) { return response ? response.body : undefined; }

    function load() {
      return api.get("apps/packages/" + appId + "/manifest")
        .then(function (r) { state.manifest = body(r) || null; })
        .then(function () { return api.get("helpdesk/discover"); })
        .then(function (r) {
          var data = body(r) && body(r).data;
          state.helpdeskUrl = data && data.helpdesk_url ? String(data.helpdesk_url).replace(/\/+$/, "") : null;
        })
        .then(function () {
          if (installType !== "update") return;
          var names = settings.map(function (s) { return s.name; });
          var read = names.length ? dpapp.storage.getAppStorage(names) : Promise.resolve({});
          return read
            .then(function (values) { state.values = values || {}; })
            .then(function () { return api.get("apps/" + instanceId + "/status"); })
            .then(function (r) { state.installed = !!(body(r) && body(r).is_installed); });
        })
        .then(function () {
          if (state.installed) return;
          return api.get("apps/packages/" + appId + "/manifest-changes")
            .then(function (r) { state.changes = Array.isArray(body(r)) ? body(r) : []; });
        });
    }

    function showProgress(text) {
      screenNode.hidden = true;
      progressNode.hidden = false;
      progressNode.textContent = text;
      showMessage("");
    }

    function showScreenAgain(err, what) {
      progressNode.hidden = true;
      screenNode.hidden = false;
      showMessage(what + ": " + describe(err) + ". Check the values and try again.", "error");
    }

    function saveSettings(values) {
      var names = values ? Object.keys(values) : [];
      if (!names.length) return Promise.resolve();
      var requests = {};
      names.forEach(function (name) {
        requests[name] = {
          method: "PUT",
          headers: { "Accept": "application/json", "Content-Type": "application/json" },
          url: "apps/" + instanceId + "/state/app:" + appId + "/" + name,
          data: { value: values[name] }
        };
      });
      return api.post("batch", { requests: requests }).then(checked);
    }

    function addCustomFields() {
      var additions = state.changes.filter(function (c) {
        return c && c.type === "add" && c.module === "customFields" && c.value;
      }).map(function (c) { return c.value; });
      if (!additions.length || state.customFieldsDone) return Promise.resolve();
      var requests = {};
      additions.forEach(function (field) {
        requests[field.alias] = {
          method: "POST",
          headers: { "Accept": "application/json", "Content-Type": "application/json" },
          url: CUSTOM_FIELD_URLS[field.attachedTo],
          data: {
            title: field.title, is_enabled: true, is_user_enabled: false, is_agent_field: true,
            alias: "app:" + instanceId + ":" + field.alias,
            handler_class: "Application\\DeskPRO\\CustomFields\\Handler\\" + capitalise(String(field.type))
          }
        };
      });
      return api.post("batch", { requests: requests }).then(checked)
        .then(function () { state.customFieldsDone = true; });
    }

    function emitStatus(status) {
      if (onInstallStatus) dpapp.emit(onInstallStatus, { status: status, manifest: state.manifest });
      return status;
    }

    // onStatus(): run the install tasks and tell the host; onStatus(err): report a failure.
    function onStatus(err) {
      if (err) {
        progressNode.hidden = true;
        showMessage("The installation failed: " + describe(err), "error");
        return Promise.resolve(emitStatus("error"));
      }
      showProgress("Finishing the installation…");
      return addCustomFields()
        .then(function () {
          if (!state.installed) return api.put("apps/" + instanceId, { is_installed: true }).then(checked);
        })
        .then(function () {
          state.installed = true;
          if (unmount) { unmount(); unmount = null; }
          screenNode.remove();
          progressNode.textContent = installType === "update" ? "Settings saved." : "The app is installed.";
          progressNode.className = "dpi-progress dpi-progress--done";
          return emitStatus("success");
        }, function (failure) {
          showScreenAgain(failure, "The installation could not be finished");
          throw failure;
        });
    }

    function finishInstall(values) {
      showProgress("Saving the settings…");
      return saveSettings(values).then(
        function () { return { onStatus: onStatus }; },
        function (failure) {
          showScreenAgain(failure, "The settings could not be saved");
          throw failure;
        }
      );
    }

    return load()
      .then(waitForScreen)
      .then(function (custom) {
        var root = main();
        root.textContent = "";
        root.appendChild(screenNode);
        root.appendChild(progressNode);
        var props = {
          finishInstall: finishInstall,
          installType: installType,
          settings: JSON.parse(JSON.stringify(settings)),
          values: state.values,
          settingsForm: { render: renderSettingsForm },
          dpapp: dpapp
        };
        unmount = mountScreen(custom || defaultScreen, screenNode, props);
      })
      .catch(function (err) {
        main().textContent = "";
        showMessage("The app installer could not start: " + describe(err), "error");
        console.error("deskpro-installer:", err);
      });
  }

  window.DeskproInstaller = {
    registerScreen: registerScreen,
    settingsForm: { render: renderSettingsForm },
    version: "1"
  };

  function boot() {
    var sdk = window.DeskproAppsSDKCore;
    if (!sdk) {
      showMessage("The Deskpro apps SDK did not load, so the installer cannot talk to the helpdesk.", "error");
      return;
    }
    var started = false;
    try {
      sdk.createApp(function (dpapp) {
        // The SDK calls back a second time with an Error when the first callback threw.
        if (started) return;
        if (dpapp instanceof Error || !dpapp || !dpapp.restApi) {
          showMessage("The installer could not connect to the helpdesk: " + describe(dpapp), "error");
          return;
        }
        started = true;
        start(dpapp);
      });
    } catch (err) {
      // createApp throws when the page was opened outside the helpdesk (no dp.widgetId).
      showMessage("Open this page from the helpdesk (Admin > Apps): " + describe(err), "error");
    }
  }

  boot();
})();

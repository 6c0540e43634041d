/*
 * A stub Deskpro helpdesk for browser tests: it frames the page under test and answers the
 * Deskpro apps SDK over the real post-robot 7 wire format (spec/deskpro-host-protocol.md §2, §4).
 *
 * The test fixture (tests/browser/conftest.py) serves this page on one loopback origin and the
 * app on another, and hands it its configuration at /__config/<id>. Everything the app asks is
 * recorded for the test to read:
 *   window.__records     every `urn:deskpro:apps.widget.event` the app sent, in order
 *                        ({eventName, body, id, correlationId, status, at})
 *   window.__storage     the helpdesk's app storage, {"<entity>/<name>": value}
 *   window.__sent        every request the host sent to the app ({name, data})
 *   window.__proxyLog    requests that went through the emulated apps proxy
 *   window.__hostErrors  anything the stub could not answer or did not expect
 *   window.__ready       true once the app's onready handshake was answered
 *   window.__installed   true once the installer marked the instance installed
 *   window.__appLoaded   true once the framed page fired its load event
 *   window.__emitToApp(name, body) sends a host event; resolves with the app's answer
 *   window.__config      the live configuration (tests may change routes and answers)
 *
 * Plain browser JavaScript with no dependencies, written for this project.
 */
(function () {
  "use strict";

  var FIRE_AND_FORGET = "event.invocation_fireandforget";
  var REQUEST_RESPONSE = "event.invocation_requestresponse";
  // App -> host events the host must never answer (the SDK resolved them already).
  var FIRE_AND_FORGET_EVENTS = [
    "app.badge", "app.reset_size", "window.mouseevent", "deskpro_window.show_notification"
  ];
  // How host events are delivered once an app subscribes (Context/eventsTicket.js).
  var DEFAULT_INVOCATIONS = {
    "context.ticket.reply": REQUEST_RESPONSE,
    "context.ticket.reply-success": FIRE_AND_FORGET,
    "context.ticket.update-success": FIRE_AND_FORGET
  };
  var CUSTOM_FIELD_URLS = ["/ticket_custom_fields", "/person_custom_fields", "/organization_custom_fields"];

  window.__records = [];
  window.__storage = {};
  window.__sent = [];
  window.__proxyLog = [];
  window.__hostErrors = [];
  window.__ready = false;
  window.__installed = false;
  window.__appLoaded = false;

  var cfg = null;
  var frame = document.getElementById("app");
  var appOrigin = null;
  var seq = 0;
  var pendingHostEvents = {}; // correlationId -> resolve, for __emitToApp

  function uid() {
    seq += 1;
    return "stubhost_" + seq + "_" + Math.random().toString(36).slice(2, 10);
  }

  function hostError(message) {
    window.__hostErrors.push(message);
  }

  function clone(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  // -- post-robot wire format -------------------------------------------------------------
  function postTo(target, origin, message) {
    message.id = uid();
    message.sourceDomain = location.origin;
    message.windowType = "fullpage";
    target.postMessage(JSON.stringify({ __postRobot__: message }, null, 2), origin);
  }

  function ack(event, request) {
    postTo(event.source, event.origin, {
      type: "postrobot_message_ack", name: request.name, hash: request.hash
    });
  }

  function respond(event, request, data) {
    postTo(event.source, event.origin, {
      type: "postrobot_message_response", name: request.name, hash: request.hash,
      ack: "success", data: data
    });
  }

  function sendToApp(name, data) {
    window.__sent.push({ name: name, data: clone(data) });
    postTo(frame.contentWindow, appOrigin || "*", {
      type: "postrobot_message_request", name: name, hash: name + "_" + uid(),
      domain: "*", data: data
    });
  }

  window.addEventListener("message", function (event) {
    if (!frame.contentWindow || event.source !== frame.contentWindow) {
      return;
    }
    var message;
    try {
      message = JSON.parse(event.data).__postRobot__;
    } catch (e) {
      return; // not post-robot traffic
    }
    if (!message || typeof message !== "object") {
      return;
    }
    if (message.type === "postrobot_message_response" && message.ack === "error") {
      hostError("the app refused host message " + message.name + ": " + message.error);
      return;
    }
    if (message.type !== "postrobot_message_request") {
      return; // acks and responses to the host's own sends
    }
    appOrigin = event.origin;
    if (!message.fireAndForget) {
      ack(event, message);
    }
    var name = String(message.name);
    var widget = "?widgetId=" + cfg.widgetId;
    if (name === "urn:deskpro:apps.widget.onready" + widget) {
      respond(event, message, { instanceProps: cfg.instanceProps, contextProps: cfg.contextProps });
      window.__ready = true;
    } else if (name === "urn:deskpro:apps.widget.event" + widget) {
      respond(event, message, {});
      onWidgetEvent(message.data || {});
    } else {
      if (name.indexOf("urn:deskpro:") === 0) {
        hostError("unexpected message " + name + " (widget id mismatch?)");
      }
      respond(event, message, {});
    }
  });

  // -- the Deskpro layer --------------------------------------------------------------------
  function onWidgetEvent(data) {
    var record = {
      eventName: data.eventName, body: clone(data.body), id: data.id,
      correlationId: data.correlationId, at: Math.round(performance.now())
    };
    if (data.status !== undefined) {
      record.status = data.status;
    }
    window.__records.push(record);

    if (data.status !== undefined) {
      // The app answering a host event (spec §2.6).
      var resolve = pendingHostEvents[data.correlationId];
      delete pendingHostEvents[data.correlationId];
      if (resolve) {
        resolve(clone(data.body));
      }
      return;
    }
    if (isFireAndForget(data.eventName)) {
      return;
    }
    Promise.resolve()
      .then(function () { return answer(data.eventName, data.body); })
      .then(
        function (body) { reply(data, "success", body); },
        function (err) {
          var body = err instanceof Error ? { message: err.message } : err;
          reply(data, "error", body);
        }
      );
  }

  function isFireAndForget(eventName) {
    return FIRE_AND_FORGET_EVENTS.indexOf(eventName) !== -1 ||
      cfg.fireAndForget.indexOf(eventName) !== -1;
  }

  function reply(request, status, body) {
    sendToApp(request.eventName, {
      id: uid(), widgetId: cfg.widgetId, correlationId: request.correlationId, status: status,
      // The helpdesk sent string bodies; the SDK parses them (spec §2.2).
      body: JSON.stringify(body === undefined ? null : body)
    });
  }

  function answer(eventName, body) {
    var override = cfg.events[eventName];
    if (override) {
      if ("error" in override) {
        return Promise.reject(override.error);
      }
      return override.reply;
    }
    var handler = HANDLERS[eventName];
    if (!handler) {
      hostError("no handler defined for event " + eventName);
      return Promise.reject({ message: "No handler defined for event " + eventName });
    }
    return handler(body || {});
  }

  var HANDLERS = {
    "webapi.request.deskpro": function (body) {
      return deskproApi(String(body.method || "get").toLowerCase(), String(body.path || ""), body.body);
    },
    "webapi.request.fetch": function (body) {
      var init = body.init || {};
      if (init.mode === "cors") {
        return proxyFetch(String(body.url), init);
      }
      var method = String(init.method || "GET").toLowerCase();
      var payload = init.body === undefined ? undefined : JSON.parse(init.body);
      return deskproApi(method, String(body.url), payload);
    },
    "context.me_get": function () { return cfg.me; },
    "context.property.get": function (body) {
      var value = cfg.tab;
      var path = body.path || [];
      for (var i = 0; i < path.length; i++) {
        value = value !== null && typeof value === "object" ? value[path[i]] : undefined;
      }
      return value === undefined ? null : value;
    },
    "context.tab_data": function () { return cfg.tab; },
    "context.tab_activate": function () { return {}; },
    "context.tab_close": function () { return {}; },
    "app.subscribe_to_event": function (body) {
      return (body.events || []).map(function (name) {
        return { name: name, invocationType: cfg.invocations[name] || DEFAULT_INVOCATIONS[name] || REQUEST_RESPONSE };
      });
    },
    "security.settings.oauth": function (body) {
      var version = body.protocolVersion || "2.0";
      return {
        urlRedirect: cfg.helpdeskUrl.replace(/\/$/, "") + "/api/oauth/" + version + "/" + body.provider + "/grant-access"
      };
    },
    "security.authenticate.oauth": oauthToken,
    "security.oauth.refresh": oauthToken
  };

  function oauthToken(body) {
    var provider = body.provider;
    if (cfg.oauth.requireConnection && !(("app:" + cfg.appId + "/oauth:" + provider) in window.__storage)) {
      return Promise.reject({
        message: "stub host: no OAuth connection registered for " + provider +
          " (call dpapp.oauth.register first)"
      });
    }
    var token = cfg.oauth.tokens[provider];
    if (!token) {
      return Promise.reject({ message: "stub host: no OAuth token configured for " + provider });
    }
    return { oauthVersion: body.protocolVersion || "2.0", body: { token: token } };
  }

  // -- Deskpro API v2 (relative paths) --------------------------------------------------------
  function ok(body) { return { status: 200, body: body === undefined ? {} : body, headers: {} }; }

  var STATE_URL = /^apps\/([^/]+)\/state\/([^/]+)\/([^?]+)(\?.*)?$/;

  function deskproApi(method, path, payload) {
    var key = method + " " + path;
    if (key in cfg.deskproRoutes) {
      var route = cfg.deskproRoutes[key];
      return "error" in route ? Promise.reject(route.error) : route.reply;
    }
    var state = STATE_URL.exec(path);
    if (state) {
      var storageKey = state[2] + "/" + decodeURIComponent(state[3]);
      if (method === "get") {
        return storageKey in window.__storage
          ? ok({ value: window.__storage[storageKey] })
          : { status: 404, body: null, headers: {} };
      }
      if (method === "put") {
        window.__storage[storageKey] = clone(payload.value);
        return ok({ value: payload.value });
      }
      if (method === "delete") {
        delete window.__storage[storageKey];
        return ok({});
      }
    }
    if (key === "post batch") {
      return ok({ responses: batch((payload && payload.requests) || {}) });
    }
    if (key === "get apps/packages/" + cfg.appId + "/manifest") {
      return ok(cfg.manifest);
    }
    if (key === "get apps/packages/" + cfg.appId + "/manifest-changes") {
      return ok(cfg.manifestChanges);
    }
    if (key === "get helpdesk/discover") {
      return ok({ data: { helpdesk_url: cfg.helpdeskUrl } });
    }
    if (key === "get apps/" + cfg.instanceId + "/status") {
      return ok({ is_installed: cfg.installed });
    }
    if (key === "put apps/" + cfg.instanceId) {
      window.__installed = !!(payload && payload.is_installed);
      return ok({});
    }
    hostError("stub host: no Deskpro API route for " + key);
    return Promise.reject({ status: 404, body: { message: "stub host: no route for " + key } });
  }

  function batch(requests) {
    var responses = {};
    Object.keys(requests).forEach(function (name) {
      var sub = requests[name];
      var status = 200;
      var out = {};
      if (typeof sub === "string") {
        // A batch read: the value of a state URL (spec §2.4).
        var m = STATE_URL.exec(sub);
        var k = m ? m[2] + "/" + decodeURIComponent(m[3]) : null;
        if (k !== null && k in window.__storage) {
          out.value = clone(window.__storage[k]);
        } else {
          status = 404;
        }
      } else {
        var url = String(sub.url || "");
        var method = String(sub.method || "GET").toUpperCase();
        var st = STATE_URL.exec(url);
        if (st && method === "PUT") {
          window.__storage[st[2] + "/" + decodeURIComponent(st[3])] = clone((sub.data || {}).value);
        } else if (st && method === "DELETE") {
          delete window.__storage[st[2] + "/" + decodeURIComponent(st[3])];
        } else if (method === "POST" && CUSTOM_FIELD_URLS.indexOf(url) !== -1) {
          out.data = { id: Object.keys(responses).length + 1 };
        } else {
          hostError("stub host: no batch route for " + method + " " + url);
          status = 404;
        }
      }
      out.headers = { "status-code": status };
      responses[name] = out;
    });
    return responses;
  }

  // -- the apps proxy (fetchProxy / fetchCORS), spec §2.5 -------------------------------------
  function parseRegexLiteral(text) {
    var m = /^\/(.*)\/([a-z]*)$/.exec(text);
    try {
      return m ? new RegExp(m[1], m[2]) : new RegExp(text);
    } catch (e) {
      hostError("stub host: whitelist entry is not a valid regex: " + text);
      return null;
    }
  }

  function substitute(text, missing) {
    return String(text).replace(/\{\{\s*([^}]+?)\s*\}\}/g, function (whole, name) {
      var key = "app:" + cfg.appId + "/" + name;
      if (!(key in window.__storage)) {
        missing.push(name);
        return whole;
      }
      var value = window.__storage[key];
      return typeof value === "string" ? value : JSON.stringify(value);
    });
  }

  function proxyFetch(url, init) {
    var missing = [];
    var headers = {};
    Object.keys(init.headers || {}).forEach(function (h) {
      headers[h] = substitute(init.headers[h], missing);
    });
    var request = {
      url: substitute(url, missing), method: String(init.method || "GET").toUpperCase(),
      headers: headers, body: init.body === undefined ? null : substitute(init.body, missing)
    };
    var allowed = cfg.whitelist.some(function (entry) {
      var re = parseRegexLiteral(entry);
      return re !== null && re.test(request.url);
    });
    window.__proxyLog.push({ request: request, allowed: allowed, missing: missing });
    if (!allowed) {
      return Promise.reject({
        status: 403, body: { message: "stub host: " + request.url + " is not in the app's domain whitelist" }
      });
    }
    return fetch("/__upstream/" + cfg.id, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request)
    }).then(function (r) { return r.json(); });
  }

  // -- test hooks ------------------------------------------------------------------------------
  window.__emitToApp = function (name, body) {
    var correlationId = "h" + uid();
    var invocation = cfg.invocations[name] || DEFAULT_INVOCATIONS[name] || REQUEST_RESPONSE;
    var answered = new Promise(function (resolve) {
      if (invocation === REQUEST_RESPONSE) {
        pendingHostEvents[correlationId] = resolve;
      } else {
        resolve(null);
      }
    });
    sendToApp(name, { id: uid(), widgetId: cfg.widgetId, correlationId: correlationId, body: body });
    return answered;
  };

  // -- boot ---------------------------------------------------------------------------------------
  var cfgId = new URLSearchParams(location.search).get("cfg");
  fetch("/__config/" + encodeURIComponent(cfgId))
    .then(function (r) {
      if (!r.ok) { throw new Error("stub host: no configuration " + cfgId); }
      return r.json();
    })
    .then(function (config) {
      cfg = config;
      cfg.id = cfgId;
      window.__config = cfg;
      Object.keys(cfg.storage || {}).forEach(function (k) { window.__storage[k] = cfg.storage[k]; });
      var sep = cfg.appUrl.indexOf("?") === -1 ? "?" : "&";
      var params = "dp.widgetId=" + encodeURIComponent(cfg.widgetId);
      frame.addEventListener("load", function () { window.__appLoaded = true; });
      // The listener is installed above; only now may the app start talking (spec §4).
      frame.src = cfg.paramsInHash ? cfg.appUrl + "#" + params : cfg.appUrl + sep + params;
    })
    .catch(function (err) { hostError(String(err)); });
})();

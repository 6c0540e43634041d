// A minimal app page for proving the stub host against the real SDK: it boots, exposes `dpapp`
// for the test to drive, and answers one host event.
(function () {
  "use strict";
  window.probe = { ready: false, error: null, replies: [] };
  DeskproAppsSDKCore.createApp(function (dpapp) {
    if (dpapp instanceof Error) {
      window.probe.error = dpapp.message;
      document.getElementById("state").textContent = "failed";
      return;
    }
    window.dpapp = dpapp;
    dpapp.subscribe("context.ticket.reply", function (body) {
      window.probe.replies.push(body);
      return "ok-from-app";
    });
    window.probe.ready = true;
    document.getElementById("state").textContent = "ready";
  });
})();

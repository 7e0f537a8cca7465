/// `/console/assets/console.js`: live updates, and nothing else. Written for Tandem (Apache-2.0, as the
/// project); no library. While the page is visible it fetches the page again every five seconds and
/// replaces each `data-live` section whose content changed, unless the keyboard focus is inside it.
enum ConsoleScript {
    static let source = #"""
        // Tandem console: live updates (Apache-2.0, part of Tandem). No dependency.
        (function () {
          "use strict";
          var status = document.getElementById("live-status");
          if (!document.querySelector("[data-live][id]")) return;
          function say(text) { if (status && status.textContent !== text) status.textContent = text; }
          function refresh() {
            if (document.visibilityState !== "visible") return;
            fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
              .then(function (response) {
                if (response.redirected) throw new Error("Your session has ended: reload the page to sign in.");
                if (!response.ok) throw new Error("Live updates paused: the gateway answered " + response.status + ".");
                return response.text();
              })
              .then(function (text) {
                var fresh = new DOMParser().parseFromString(text, "text/html");
                var changed = 0;
                document.querySelectorAll("[data-live][id]").forEach(function (part) {
                  var next = fresh.getElementById(part.id);
                  if (next && next.innerHTML !== part.innerHTML && !part.contains(document.activeElement)) {
                    part.innerHTML = next.innerHTML;
                    changed += 1;
                  }
                });
                if (changed) say("Updated at " + new Date().toLocaleTimeString() + ".");
              })
              .catch(function (error) {
                say(error && error.message ? error.message : "Live updates paused: the gateway did not answer.");
              });
          }
          setInterval(refresh, 5000);
        })();
        """#
}

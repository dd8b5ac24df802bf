// Autosave for the Centre's test. Every change is posted at once; when the network is down the answer waits
// in localStorage and is sent when the browser is back online (or the page is opened again).
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  var state = document.querySelector(".save-state");
  var token = document.querySelector("input[name=csrf_token]");

  function show(which) { if (state && state.dataset[which]) { state.textContent = state.dataset[which]; } }

  function payload() {
    var data = new URLSearchParams(new FormData(form));
    data.delete("go");
    return data.toString();
  }

  // A waiting answer may come from before a browser restart and a new sign-in: send it with this page's token.
  function withThisPagesToken(body) {
    var params = new URLSearchParams(body);
    if (token) { params.set("csrf_token", token.value); }
    return params.toString();
  }

  var inFlight = {};  // the queue never sends an answer that is already on its way (two "online" events)

  // Forget the stored answer only if it is still the one this request carried: a newer answer given while
  // an older one was on its way stays queued until it is saved itself.
  function forget(key, body) {
    var stored = localStorage.getItem(key);
    if (stored && JSON.parse(stored).body === body) { localStorage.removeItem(key); }
  }

  function send(key, url, body) {
    inFlight[key] = body;
    return fetch(url, {
      method: "POST", body: withThisPagesToken(body), credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "X-Requested-With": "fetch"}
    }).then(function (response) {
      // a redirect means the sign-in page, not a save: the answer keeps waiting
      if (response.ok && !response.redirected) {
        forget(key, body);
        var newer = localStorage.getItem(key);  // an answer changed while this one was on its way: send it now
        if (newer) { send(key, url, JSON.parse(newer).body).catch(function () { show("waiting"); }); return; }
        show("saved"); return;
      }
      if (response.status === 409) { forget(key, body); return response.json().then(function (d) {
        if (d.result) { window.location = d.result; } }); }
      if (response.status === 400) { return response.json().then(function (d) {
        if (d.reason === "stale") { show("waiting"); return; }  // sent again with the next page's token
        forget(key, body); window.location.reload(); }); }
      // the server failing, restarting or busy (5xx, 429): kept, and sent again by the timer below; any other
      // refusal (403 another device, 404 not this candidate's) will not change: drop it and show the page
      if (response.status < 500 && response.status !== 429) { forget(key, body); window.location.reload(); return; }
      show("waiting");
    }).finally(function () { if (inFlight[key] === body) { delete inFlight[key]; } });
  }

  function flush() {
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var key = localStorage.key(i);
      if (key && key.indexOf("lms-answer:") === 0 && !inFlight[key]) {
        var saved = JSON.parse(localStorage.getItem(key));
        send(key, saved.url, saved.body).catch(function () { show("waiting"); });
      }
    }
  }

  if (form) {
    var key = "lms-answer:" + form.dataset.key;
    var pending = localStorage.getItem(key);
    if (pending) {  // an answer given while offline, before a reload or a crash: put it back (flush sends it)
      var params = new URLSearchParams(JSON.parse(pending).body);
      var chosen = params.getAll("option");
      form.querySelectorAll("input[name=option]").forEach(function (input) { input.checked = chosen.indexOf(input.value) >= 0; });
      var flag = form.querySelector("input[name=flagged]");
      if (flag) { flag.checked = params.get("flagged") === "y"; }
    }
    form.addEventListener("change", function () {
      var body = payload();
      localStorage.setItem(key, JSON.stringify({url: form.dataset.autosave, body: body}));
      // one save per question at a time, so that an older answer can never be stored after a newer one:
      // while one is on its way the newest waits in storage and follows it
      if (!inFlight[key]) { send(key, form.dataset.autosave, body).catch(function () { show("waiting"); }); }
    });
  }
  window.addEventListener("online", flush);
  flush();
  // an answer the server could not take (a restart, a 503) is sent again every few seconds until it is saved
  setInterval(flush, 5000);

  // The time left comes from the server's clock; the page reloads once the server's grace period is over.
  var clock = document.querySelector(".countdown");
  if (clock && clock.dataset.secondsLeft) {
    var end = Date.now() + 1000 * Number(clock.dataset.secondsLeft);
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      clock.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      if (left === 0) { setTimeout(function () { window.location.reload(); }, 6000); } else { setTimeout(tick, 1000); }
    };
    tick();
  }
})();

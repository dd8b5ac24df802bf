// Autosave for the Centre's test. Every change is posted at once; when the network is down the answer waits
// in localStorage and is sent when the browser is back online (or the page is opened again).
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  var state = document.querySelector(".save-state");
  var texts = document.documentElement.lang === "en" ? ["Saved", "Not saved yet: waiting for the network"] :
    document.documentElement.lang === "ru" ? ["Сохранено", "Пока не сохранено: ждём сеть"] :
    document.documentElement.lang === "ky" ? ["Сакталды", "Азырынча сакталган жок: тармакты күтүүдө"] :
    ["Сақталды", "Әзірге сақталмады: желіні күтудеміз"];

  function show(i) { if (state) { state.textContent = texts[i]; } }

  function payload() {
    var data = new URLSearchParams(new FormData(form));
    data.delete("go");
    return data.toString();
  }

  function send(key, url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "X-Requested-With": "fetch"}
    }).then(function (response) {
      if (response.ok) { localStorage.removeItem(key); show(0); return; }
      if (response.status === 409) { localStorage.removeItem(key); return response.json().then(function (d) {
        if (d.result) { window.location = d.result; } }); }
      if (response.status === 400) { localStorage.removeItem(key); window.location.reload(); }
    });
  }

  function flush() {
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var key = localStorage.key(i);
      if (key && key.indexOf("lms-answer:") === 0) {
        var saved = JSON.parse(localStorage.getItem(key));
        send(key, saved.url, saved.body).catch(function () { show(1); });
      }
    }
  }

  if (form) {
    var key = "lms-answer:" + form.dataset.key;
    var pending = localStorage.getItem(key);
    if (pending) {  // an answer given while offline, before a reload or a crash: put it back and send it
      var params = new URLSearchParams(JSON.parse(pending).body);
      var chosen = params.getAll("option");
      form.querySelectorAll("input[name=option]").forEach(function (input) { input.checked = chosen.indexOf(input.value) >= 0; });
      var token = form.querySelector("input[name=csrf_token]");
      params.set("csrf_token", token ? token.value : "");
      localStorage.setItem(key, JSON.stringify({url: form.dataset.autosave, body: params.toString()}));
    }
    form.addEventListener("change", function () {
      var body = payload();
      localStorage.setItem(key, JSON.stringify({url: form.dataset.autosave, body: body}));
      send(key, form.dataset.autosave, body).catch(function () { show(1); });
    });
  }
  window.addEventListener("online", flush);
  flush();

  var clock = document.querySelector(".countdown");
  if (clock && clock.dataset.deadline) {
    var deadline = Date.parse(clock.dataset.deadline.replace(/\+00:00$/, "Z"));
    var tick = function () {
      var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      clock.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      if (left === 0) { window.location.reload(); } else { setTimeout(tick, 1000); }
    };
    tick();
  }
})();

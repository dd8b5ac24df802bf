// The sign-in waiting room. At an exam-day peak the server may answer a sign-in with 503 and Retry-After
// (its password lane is full); the page then waits that long and sends the same sign-in again by itself,
// so a candidate never retypes a password. Signed in, the server names the next page and the script opens it
// (a redirect followed by fetch would build that page once for nothing). Any other answer is shown as a plain
// submission would show it.
(function () {
  "use strict";
  var form = document.getElementById("login-form");
  if (!form || !window.fetch || !window.URLSearchParams) { return; }
  var state = form.querySelector(".waiting-state");
  var sending = false;

  function pause(seconds) { return new Promise(function (done) { setTimeout(done, seconds * 1000); }); }

  function showPage(response) {
    if ((response.headers.get("Content-Type") || "").indexOf("application/json") === 0) {  // signed in
      return response.json().then(function (data) { window.location.assign(data.next); });
    }
    if (response.redirected) { window.location.assign(response.url); return Promise.resolve(); }
    return response.text().then(function (html) {  // the page with its message (wrong password, stale form)
      document.open();
      document.write(html);
      document.close();
    });
  }

  function send(body) {
    return fetch(form.action || window.location.href, {
      method: "POST", body: body, credentials: "same-origin",
      // the server answers this script briefly: "busy" in a few bytes, "signed in" with the next page's address
      headers: {"Content-Type": "application/x-www-form-urlencoded", "X-Waiting-Room": "1"}
    }).then(function (response) {
      var wait = parseInt(response.headers.get("Retry-After"), 10);
      if (response.status === 503 && wait > 0) {
        state.textContent = form.dataset.waiting;
        state.hidden = false;
        return pause(Math.min(wait, 30)).then(function () { return send(body); });
      }
      return showPage(response);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }  // a double click sends one sign-in
    sending = true;
    send(new URLSearchParams(new FormData(form)).toString()).catch(function () {
      sending = false;
      form.submit();  // the network failed under the script: the plain submission shows what happened
    });
  });
})();

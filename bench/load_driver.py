"""One load scenario with locust (its library API, headless), run by ``bench.load`` in a process of its own:
``python -m bench.load_driver SCENARIO PLAN.json OUT.json``. Writes locust's statistics per request name.

Scenarios: ``healthz`` (the bare endpoint, the ceiling), ``verify`` (/v/<code> of random certificates),
``bulk_verify`` (the employer API with 1,000 numbers per request), ``exam`` (candidates sign in and start
the same test within the spawn time, answer every question after a think time, and finish), ``pdf`` (a
certificate's first download, which renders it, then a stored download), ``report`` (the indicator-5 page)."""

from __future__ import annotations

import json
import random
import re
import sys
import time
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, HttpUser, constant, task
from locust.env import Environment
from locust.exception import StopUser

CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
OPTION = re.compile(r'name="option"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="option"')

PLAN: dict = {}


def page_token(user: HttpUser | FastHttpUser, url: str, name: str) -> tuple[str, str]:
    """GET a page that must carry a form token; a failure is recorded with its status and ends the journey."""
    with user.client.get(url, name=name, catch_response=True) as response:
        match = CSRF.search(response.text or "") if response.status_code == 200 else None
        if match is None:
            response.failure(f"HTTP {response.status_code}: {(response.text or '')[:80]!r}")
            raise StopUser()
        return response.text, match.group(1)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def form(data: dict) -> str:
    """A form body as a browser sends it (a list value repeats its field), for either locust client."""
    return urlencode(data, doseq=True)


def sign_in(user: HttpUser | FastHttpUser, email: str, password: str) -> None:
    """Sign in as the page's script does: a 503 with Retry-After (the server's password lane is full at a
    peak) is waited out and the same sign-in sent again. Those answers are counted apart ("held"), and the
    whole wait from the first press to the signed-in answer is recorded as "sign-in, as the candidate waits"."""
    _page, token = page_token(user, "/login?lang=kk", "GET /login")
    pressed = time.perf_counter()
    while True:
        with user.client.post("/login", data=form({"email": email, "password": password, "csrf_token": token}),
                              headers={**FORM, "X-Waiting-Room": "1"}, name="POST /login (Argon2id)",
                              allow_redirects=False,
                              catch_response=True) as response:
            wait = response.headers.get("Retry-After") if response.status_code == 503 else None
            if wait and wait.isdigit():
                response.request_meta["name"] = "POST /login held (503, retried by the page)"
                response.success()
            elif response.status_code != 200 or "next" not in (response.text or ""):  # signed in: the next page
                response.failure(f"HTTP {response.status_code}")
                raise StopUser()
        if not wait:
            break
        gevent.sleep(min(int(wait), 30))  # as the page does
    user.environment.events.request.fire(
        request_type="POST", name="sign-in, as the candidate waits", response_time=(time.perf_counter() - pressed)
        * 1000, response_length=0, exception=None, context={})


class Bare(FastHttpUser):
    wait_time = constant(0)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="GET /healthz")


class Verifier(FastHttpUser):
    wait_time = constant(0)

    @task
    def verify(self) -> None:
        self.client.get(f"/v/{random.choice(PLAN['codes'])}", name="GET /v/<code>")  # noqa: S311


class Employer(FastHttpUser):
    wait_time = constant(0)

    @task
    def bulk(self) -> None:
        numbers = random.sample(PLAN["numbers"], 1000)
        self.client.post("/api/v1/certificates/verify", json={"items": [{"number": n} for n in numbers]},
                         headers={"Authorization": f"Bearer {PLAN['api_key']}"}, name="POST verify 1,000 numbers")


class Candidate(FastHttpUser):
    """A candidate on exam day: sign in, open the tests, start in Kazakh, then per question open it, think,
    and save the answer as the page's script does (fetch, JSON); then the summary, finish and the result.
    (FastHttpUser: the generator shares the server's two cores, so its own cost per request matters.)"""

    connection_timeout = 120.0
    network_timeout = 120.0

    wait_time = constant(0)

    def on_start(self) -> None:
        self.account = PLAN["candidates"].pop() if PLAN["candidates"] else None

    @task
    def sit_the_test(self) -> None:
        if self.account is None:  # locust replaces a user that stopped; every candidate has sat already
            gevent.sleep(3600)
            return
        try:
            self.journey()
        finally:
            PLAN["done"] = PLAN.get("done", 0) + 1
        raise StopUser()

    def journey(self) -> None:
        sign_in(self, self.account["email"], PLAN["password"])
        _page, token = page_token(self, "/tests/", "GET /tests/")
        test_id = PLAN["test_id"]
        with self.client.post(f"/tests/{test_id}/start", name="POST start the test", headers=FORM,
                              data=form({f"t{test_id}-language": "kk", f"t{test_id}-access_code": "",
                                         f"t{test_id}-csrf_token": token, "csrf_token": token}),
                              allow_redirects=False, catch_response=True) as started:
            match = re.search(r"/attempts/(\d+)/q/1", started.headers.get("Location", "") or "")
            if not match:
                started.failure(f"not started: HTTP {started.status_code}")
                raise StopUser()
        attempt = int(match.group(1))
        position, total = 1, PLAN["questions"]
        low, high = PLAN["think"]
        while position <= total:
            text, token = page_token(self, f"/attempts/{attempt}/q/{position}", "GET question")
            options = [a or b for a, b in OPTION.findall(text)]
            gevent.sleep(random.uniform(low, high))  # noqa: S311 - reading and thinking
            chosen = random.sample(options, 1) if options else []
            with self.client.post(f"/attempts/{attempt}/q/{position}", name="POST save answer",
                                  data=form({"option": chosen, "csrf_token": token}),
                                  headers={**FORM, "X-Requested-With": "fetch"}, catch_response=True) as response:
                if response.status_code != 200 or not response.json().get("saved"):
                    response.failure(f"not saved: {response.status_code} {(response.text or '')[:100]}")
            position += 1
        _summary, token = page_token(self, f"/attempts/{attempt}/summary", "GET summary")
        with self.client.post(f"/attempts/{attempt}/finish", data=form({"csrf_token": token}), headers=FORM,
                              name="POST finish (grading)", allow_redirects=False, catch_response=True) as done:
            if done.status_code != 302 or "/result" not in (done.headers.get("Location") or ""):
                done.failure(f"not finished: HTTP {done.status_code}")
                return
        PLAN["finished"] = PLAN.get("finished", 0) + 1


class Holder(HttpUser):
    """Holders arrive at a steady rate (``arrival_per_second``; locust replaces a user that stopped, so its
    spawn rate alone would not hold it), sign in, download their new certificate (rendered and stored on this
    first download) and then the stored copy five times."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.account = PLAN["holders"].pop() if PLAN["holders"] else None
        if self.account is not None:
            PLAN["arrived"] = PLAN.get("arrived", 0) + 1
            self.arrival = PLAN["t0"] + (PLAN["arrived"] - 1) / PLAN["arrival_per_second"]

    @task
    def download(self) -> None:
        if self.account is None:
            gevent.sleep(3600)
            return
        gevent.sleep(max(0.0, self.arrival - time.monotonic()))
        try:
            sign_in(self, self.account["email"], PLAN["password"])
            path = f"/me/certificates/{self.account['certificate_id']}/pdf"
            for n in range(6):
                with self.client.get(path, name="GET certificate PDF, stored" if n else
                                     "GET certificate PDF, first (renders)", catch_response=True) as response:
                    # a redirect to sign-in or an error page would otherwise count as a fast download
                    if response.status_code != 200 or not (response.content or b"").startswith(b"%PDF-"):
                        response.failure(f"not a PDF: HTTP {response.status_code}")
        finally:
            PLAN["done"] = PLAN.get("done", 0) + 1
        raise StopUser()


class Analyst(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        sign_in(self, PLAN["analyst"]["login"], PLAN["analyst"]["password"])

    @task
    def report(self) -> None:
        self.client.get("/centre/reports", name="GET indicator 5 report")


SCENARIOS = {"healthz": Bare, "verify": Verifier, "bulk_verify": Employer, "exam": Candidate, "pdf": Holder,
             "report": Analyst}


def run(scenario: str, plan: dict) -> dict:
    PLAN.update(plan)
    users, spawn_rate, seconds = plan["users"], plan["spawn_rate"], plan["seconds"]
    env = Environment(user_classes=[SCENARIOS[scenario]], host=plan["host"])
    runner = env.create_local_runner()
    started = PLAN["t0"] = time.monotonic()
    runner.start(users, spawn_rate=spawn_rate)
    if scenario in ("exam", "pdf"):  # every user does its one journey: wait until all are done
        deadline = started + seconds
        while time.monotonic() < deadline and PLAN.get("done", 0) < users:
            gevent.sleep(1)
    else:
        gevent.sleep(seconds)
    runner.quit()
    elapsed = time.monotonic() - started
    out = {"scenario": scenario, "users": users, "spawn_rate": spawn_rate, "elapsed_seconds": round(elapsed, 1),
           "finished_journeys": PLAN.get("finished"), "requests": {}}
    for (name, _method), entry in sorted(env.stats.entries.items()):
        if not entry.num_requests:
            continue
        out["requests"][name] = {
            "n": entry.num_requests, "failures": entry.num_failures,
            # over the scenario's whole run; no rate for a request made once (a sign-in before the work)
            "rps": round(entry.num_requests / elapsed, 1) if entry.num_requests > 1 else None,
            "p50_ms": entry.get_response_time_percentile(0.50), "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99), "max_ms": round(entry.max_response_time, 1)}
    out["errors"] = [{"name": e.name, "error": str(e.error)[:200], "count": e.occurrences}
                     for e in env.stats.errors.values()]
    return out


if __name__ == "__main__":
    name, plan_path, out_path = sys.argv[1:4]
    with open(plan_path, encoding="utf-8") as f:
        result = run(name, json.load(f))
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)

"""Start the servers of a known list of learners as soon as the hub is up (a JupyterHub service;
hub/jupyterhub_config.py runs it when NNCOURSE_HUB_LEARNERS names a file of learner names, one a
line, ``#`` comments allowed). A learner who then logs in with their name finds their server
running. Two at a time, so that the first are ready soon and a 2-core server is not swamped;
the hub's idle culler stops servers nobody has used for NNCOURSE_HUB_IDLE_TIMEOUT, so start the
hub less than that before the workshop.

    python hub/prestart.py LEARNERS_FILE     # JupyterHub sets JUPYTERHUB_API_URL and _TOKEN
"""

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

API = os.environ.get("JUPYTERHUB_API_URL", "").rstrip("/")
HEADERS = {"Authorization": f"token {os.environ.get('JUPYTERHUB_API_TOKEN', '')}"}
AT_ONCE = 2


def names(path):
    seen = []
    for line in Path(path).read_text().splitlines():
        name = line.split("#", 1)[0].strip().lower()   # the hub lowercases login names too
        if name and name not in seen:
            seen.append(name)
    return seen


def call(method, path, **kw):
    return requests.request(method, f"{API}/{path}", headers=HEADERS, timeout=60, **kw)


def wait_for_hub(timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if call("GET", "").ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise SystemExit("prestart: the hub's API did not answer")


def start(name, timeout=300):
    """Create ``name`` (if new) and start their server; returns seconds until it was ready."""
    t0 = time.monotonic()
    r = call("POST", f"users/{name}")
    if r.status_code not in (201, 409):          # 409: the user exists already
        raise RuntimeError(f"creating {name}: {r.status_code} {r.text[:200]}")
    r = call("POST", f"users/{name}/server")
    if r.status_code not in (201, 202, 400):     # 400: already running
        raise RuntimeError(f"starting {name}'s server: {r.status_code} {r.text[:200]}")
    deadline = t0 + timeout
    while time.monotonic() < deadline:
        server = call("GET", f"users/{name}").json().get("servers", {}).get("", {})
        if server.get("ready"):
            return time.monotonic() - t0
        if not server.get("pending") and not server.get("ready"):
            raise RuntimeError(f"{name}'s server stopped while starting (see the hub's log)")
        time.sleep(0.5)
    raise RuntimeError(f"{name}'s server not ready after {timeout} s")


def one(name):
    try:
        print(f"[prestart] {name}: ready after {start(name):.1f} s", flush=True)
        return True
    except (RuntimeError, requests.RequestException) as e:
        print(f"[prestart] {name}: {e}", file=sys.stderr, flush=True)
        return False


def main(path):
    learners = names(path)
    wait_for_hub()
    t0 = time.monotonic()
    with ThreadPoolExecutor(AT_ONCE) as pool:
        ok = sum(pool.map(one, learners))
    print(f"[prestart] {ok} of {len(learners)} servers ready after "
          f"{time.monotonic() - t0:.1f} s", flush=True)
    while True:          # a managed service that exits is restarted by the hub: stay, idle
        time.sleep(3600)


if __name__ == "__main__":
    main(sys.argv[1])

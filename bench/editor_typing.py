"""Flow Editor benchmark: keystroke-to-paint while typing in a block's settings, on a big flow.

It starts `segflow serve` on a temporary home, saves two generated flows through the editor's
API (one of 400 blocks in 40 connected groups, one of 10 blocks as the baseline of the same
run), opens each in Chromium, selects a Text block in the middle of the flow and types into
its Text field, one key at a time with a pause between keys, as a person types.

A key's time runs from its keydown event's timestamp to the first moment after the next paint
(a `requestAnimationFrame` callback, then a task queued from it), read with `performance.now()`
in the page: everything the editor does for the key (the change, the canvas, the panel,
scheduling the save) and the browser's style, layout and paint of the result.

    python bench/editor_typing.py               # 60 keys per flow
    python bench/editor_typing.py --keys 20     # a quick look
    python bench/editor_typing.py --blocks 1000 # a bigger flow
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright

TARGET_P90_MS = 30.0
BASELINE_BLOCKS = 10
TOKEN = "editor-bench-token"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
TYPED = "Thanks for waiting, we are almost there! "
KEY_PAUSE_MS = 60

# Records, for each key, the time from its keydown to just after the next paint.
MEASURE = """() => {
  window.keyTimes = [];
  document.addEventListener("keydown", (event) => {
    const start = event.timeStamp;
    requestAnimationFrame(() => setTimeout(() => window.keyTimes.push(performance.now() - start)));
  }, true);
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def generated_flow(name: str, blocks: int) -> dict[str, Any]:
    """`blocks` blocks in groups of ten on a grid, each group's last block leading to the next
    group, and every fifth group's buttons to two others."""
    groups = []
    count = max(1, blocks // 10)
    for number in range(count):
        group_blocks: list[dict[str, Any]] = [
            {"id": f"g{number}-b{index}", "type": "text", "text": f"Message {index} of {number}"}
            for index in range(min(10, blocks - 10 * number) - 1)
        ]
        last: dict[str, Any] = {"id": f"g{number}-ask", "type": "textInput", "variable": "answer"}
        if number % 5 == 4:
            last = {
                "id": f"g{number}-ask",
                "type": "buttons",
                "variable": "answer",
                "items": [
                    {"label": "Back", "next": f"g{number - 1}"},
                    {"label": "Start again", "next": "g0"},
                ],
            }
        if number + 1 < count:
            last["next"] = f"g{number + 1}"
        groups.append(
            {
                "id": f"g{number}",
                "title": f"Step {number + 1}",
                "position": {"x": (number % 8) * 420, "y": (number // 8) * 900},
                "blocks": [*group_blocks, last],
            }
        )
    return {
        "name": name,
        "variables": [{"name": "answer"}],
        "start": {"group": "g0"},
        "groups": groups,
    }


@contextmanager
def serving(home: Path) -> Iterator[str]:
    """`segflow serve` on `home`, from when it answers until the block ends; its URL."""
    url = f"http://127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "SEGFLOW_HOME": str(home),
        "SEGFLOW_EDITOR_TOKEN": TOKEN,
        "SEGFLOW_COLLECTOR_URL": f"http://127.0.0.1:{free_port()}",
    }
    for name in ("SEGFLOW_DATABASE_URL", "SEGMENT_WRITE_KEY", "SEGMENT_ENDPOINT"):
        env.pop(name, None)
    log_path = home / "serve.log"
    home.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "segflow", "serve", "--port", url.rsplit(":", 1)[1]]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        ends = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"segflow serve exited:\n{log_path.read_text()}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > ends:
                raise SystemExit("segflow serve did not answer /healthz in 60 s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def saved_flow(url: str, document: dict[str, Any]) -> str:
    with httpx.Client(
        base_url=f"{url}/editor/api", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
    ) as api:
        flow = api.post("/flows", json={"name": document["name"]}).json()
        api.put(f"/flows/{flow['id']}/draft", json=document).raise_for_status()
        flow_id: str = flow["id"]
        return flow_id


def typing_times(page: Page, url: str, flow_id: str, block_id: str, keys: int) -> list[float]:
    """Milliseconds from keydown to paint of each of `keys` keys typed in the block's Text."""
    page.goto(f"{url}/editor/?token={TOKEN}#/flows/{flow_id}")
    block = page.locator(f'.block[data-block-id="{block_id}"]')
    block.wait_for()
    page.evaluate(MEASURE)
    block.click()
    field = page.get_by_label("Text", exact=True)
    field.click()
    page.keyboard.press("End")
    page.wait_for_timeout(500)
    page.evaluate("() => { window.keyTimes = []; }")
    text = (TYPED * (keys // len(TYPED) + 1))[:keys]
    for index, key in enumerate(text):
        page.keyboard.type(key)
        page.wait_for_function(f"() => window.keyTimes.length > {index}")
        page.wait_for_timeout(KEY_PAUSE_MS)
    painted = page.locator(f'.block[data-block-id="{block_id}"] .block-summary')
    shown = painted.text_content() or ""
    if not shown.endswith(text.rstrip()[-10:]):
        raise SystemExit(f"The canvas does not show what was typed: {shown!r}")
    times: list[float] = page.evaluate("() => window.keyTimes")
    return times


def summary(label: str, blocks: int, times: list[float]) -> tuple[str, float]:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    line = (
        f"  {label:<10} {blocks:>5} blocks  median {statistics.median(ordered):6.1f} ms  "
        f"p90 {p90:6.1f} ms  max {ordered[-1]:6.1f} ms  ({len(ordered)} keys)"
    )
    return line, p90


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blocks", type=int, default=400, help="blocks of the big flow (400)")
    parser.add_argument("--keys", type=int, default=60, help="keys typed per flow (60)")
    args = parser.parse_args()
    print(
        f"Flow Editor typing benchmark: {args.keys} keys per flow, {KEY_PAUSE_MS} ms between "
        f"keys, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before",
        flush=True,
    )
    folder = tempfile.TemporaryDirectory(prefix="segflow-bench-editor-")
    with folder, serving(Path(folder.name) / "home") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        p90 = 0.0
        for label, blocks in (("baseline", BASELINE_BLOCKS), ("big flow", args.blocks)):
            document = generated_flow(f"Typing {blocks}", blocks)
            flow_id = saved_flow(url, document)
            middle = document["groups"][len(document["groups"]) // 2]["blocks"][1]["id"]
            times = typing_times(page, url, flow_id, middle, args.keys)
            line, p90 = summary(label, blocks, times)
            print(line, flush=True)
        browser.close()
    verdict = "met" if p90 <= TARGET_P90_MS else "MISSED"
    print(
        f"Keystroke to paint with {args.blocks} blocks: p90 {p90:.1f} ms, target at most "
        f"{TARGET_P90_MS:.0f} ms [{verdict}]; load average {os.getloadavg()[0]:.2f} after"
    )


if __name__ == "__main__":
    main()

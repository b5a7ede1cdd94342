"""Front-end benchmark: frame rate of a packet animation on a 100-node cluster (default
and projector views), time to first render, and the weight of the real session page.

    .venv/bin/python bench/bench_frontend.py [--nodes 100] [--pods 3000] [--seconds 5]

The big cluster comes from the static harness (tests/browser/fixtures/harness.html, a
mock websocket with a synthetic view model) so the numbers measure the browser, not the
model. Page weight is measured on a live Daphne server rendering a real session page.
Headless Debian Chromium, software rendering (--disable-gpu).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.conftest import LiveServer, free_port, stop, wait_for_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

# rAF timestamps for `seconds` while a trace plays; resolves to the frame intervals.
MEASURE_FRAMES = """async seconds => {
  const times = [];
  await new Promise(resolve => {
    const tick = now => {
      times.push(now);
      if (now - times[0] < seconds * 1000) requestAnimationFrame(tick);
      else resolve();
    };
    requestAnimationFrame(tick);
  });
  return times.slice(1).map((t, i) => t - times[i]);
}"""


def frame_stats(intervals: list[float]) -> dict:
    total = sum(intervals) / 1000
    ordered = sorted(intervals)
    return {
        "fps": round(len(intervals) / total, 1),
        "median_ms": round(statistics.median(intervals), 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1),
        "worst_ms": round(ordered[-1], 1),
        "long_frames_over_50ms": sum(1 for i in intervals if i > 50),
    }


def measure_harness(
    browser,
    base: str,
    nodes: int,
    pods: int,
    seconds: float,
    view: str = "default",
    size: tuple[int, int] = (1920, 1080),
) -> dict:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    query = f"nodes={nodes}&pods={pods}" + (
        "&view=projector" if view != "default" else ""
    )
    page.goto(f"{base}/tests/browser/fixtures/harness.html?{query}")
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    marks = page.evaluate(
        """() => {
          const get = name => performance.getEntriesByName(name)[0]?.startTime;
          return {firstRender: get('kubeviz-first-render'),
                  snapshot: get('kubeviz-snapshot-received'),
                  elements: document.querySelectorAll('#diagram *').length};
        }"""
    )
    result = {
        "view": view,
        "viewport": f"{size[0]}x{size[1]}",
        "nodes": nodes,
        "pods": pods,
        "svg_elements": marks["elements"],
        "first_render_ms_from_navigation": round(marks["firstRender"], 1),
        "snapshot_to_picture_ms": round(marks["firstRender"] - marks["snapshot"], 1),
    }
    # Step: one delta through the whole pipeline (store, reconcile, panels).
    step_ms = page.evaluate(
        """() => new Promise(resolve => {
          const start = performance.now();
          const before = window.kubeviz.store.seq;
          window.mockServer.push({seq: 0, step: 1, time: 1, event: null, changes: []});
          const wait = () => window.kubeviz.store.seq > before
            ? requestAnimationFrame(() => resolve(performance.now() - start))
            : setTimeout(wait, 0);
          wait();
        })"""
    )
    result["delta_to_next_frame_ms"] = round(step_ms, 1)
    for view in ("fit", "zoomed"):
        if view == "zoomed":
            page.evaluate(
                "() => { const d = window.kubeviz.diagram;"
                " d.focusRect(d.layout.nodeRect('node-1'), 1.2); }"
            )
        page.evaluate(
            "() => window.kubeviz.socket.send("
            "{type: 'trace', from: 'default/web', to: '10.244.100.2:80'})"
        )
        page.wait_for_selector("#diagram .layer-packets .packet")
        intervals = page.evaluate(MEASURE_FRAMES, seconds)
        result[f"trace_animation_{view}"] = frame_stats(intervals)
    result["errors"] = errors
    page.close()
    return result


def measure_page_weight(browser) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        server = LiveServer(Path(workdir))
        server.migrate()
        server.start()
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            sizes: dict[str, int] = {}

            def record(response) -> None:
                if response.request.resource_type == "websocket":
                    return
                try:
                    sizes[response.url] = len(response.body())
                except Exception:  # redirects have no body
                    pass

            page.on("response", record)
            page.goto(server.url + "/")
            page.wait_for_selector("body[data-ready=true]", timeout=30_000)
            first = page.evaluate(FIRST_RENDER)
            page.close()
            # The projector view straight from its link, at a projector's size.
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(server.url + "/?view=projector")
            page.wait_for_selector("body[data-ready=true].projector", timeout=30_000)
            first_projector = page.evaluate(FIRST_RENDER)
            page.close()
        finally:
            server.stop()
    total = sum(sizes.values())
    return {
        "requests": len(sizes),
        "bytes": total,
        "kilobytes": round(total / 1024, 1),
        "largest": sorted(
            ((url.split("/static/")[-1], size) for url, size in sizes.items()),
            key=lambda item: -item[1],
        )[:5],
        "first_render_ms_real_session": round(first, 1),
        "first_render_ms_real_session_projector_1366x768": round(first_projector, 1),
    }


FIRST_RENDER = "() => performance.getEntriesByName('kubeviz-first-render')[0].startTime"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--pods", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=5.0)
    options = parser.parse_args()
    port = free_port()
    static = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, static)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=ARGS, headless=True
            )
            try:
                base = f"http://127.0.0.1:{port}"
                report = {
                    "big_cluster": measure_harness(
                        browser, base, options.nodes, options.pods, options.seconds
                    ),
                    "big_cluster_projector": measure_harness(
                        browser,
                        base,
                        options.nodes,
                        options.pods,
                        options.seconds,
                        view="projector",
                        size=(1366, 768),
                    ),
                    "page_weight": measure_page_weight(browser),
                }
            finally:
                browser.close()
    finally:
        stop(static)
    # Frame timing depends on what else the machine is doing: say how busy it was.
    report["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

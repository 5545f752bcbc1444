"""Barge-in benchmark: the hybrid controller vs two baselines on a labelled corpus.

Each clip is fed as 20 ms mu-law frames, as Twilio Media Streams delivers them, to a
`BargeInController` driving a real `Playout` with the clip's `agent_audio` as the reply (a
simulated Twilio plays it at real time and returns marks). All clips run concurrently, so Silero
windows from every "call" are batched exactly as in the server. In the same run, on the same
frames: (a) Silero alone with a popular framework's defaults (confidence 0.7 for 0.2 s ->
cancel), (b) the corpus' energy baseline. Prints JSON with the scorer's summary of all three,
the hybrid's figures against issue 8's targets (`targets`, met or not), the figures per line
(`by_line`), and what a caller hears of resumed pauses (`stutter`; `hiccups`: how long the agent
fell silent on ignore clips before it went on).

usage: python bench/bargein.py --corpus DIR [--out RESULTS.jsonl]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import importlib.util
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np
import soundfile as sf

# Run as a script, this folder is sys.path[0] and its bench/backplane.py would shadow the
# `backplane` package; benchmarks import the installed packages only.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from switchboard.testing.corpus import bargein_dev_dir  # noqa: E402
from voice.bargein import BargeInController, Confirm, Pause, Resume  # noqa: E402
from voice.bargein_model import SegmentModel  # noqa: E402
from voice.bargein_settings import BargeInSettings  # noqa: E402
from voice.bargein_words import SegmentWords  # noqa: E402
from voice.codec import FRAME_SAMPLES, pcm_to_ulaw, ulaw_to_pcm  # noqa: E402
from voice.hooks import InboundFrame  # noqa: E402
from voice.playout import Playout, PlayoutSettings, PlayoutState  # noqa: E402
from voice.silero import SharedSilero, SileroStream  # noqa: E402

FRAME_S = FRAME_SAMPLES / 8000


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class FrameClock:
    """Call time advanced by the frame feeder (20 ms a frame), so runs are deterministic."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@dataclass
class SimulatedLine:
    """The Twilio side of outbound audio plus the `PlayoutControl` the controller drives."""

    playout: Playout
    clock: FrameClock
    queue: collections.deque[tuple[str, int]] = field(default_factory=collections.deque)
    clears: int = 0

    @property
    def state(self) -> PlayoutState:
        return self.playout.state

    @property
    def session(self) -> None:
        return None

    def tick(self) -> None:
        """One frame of real time: Twilio plays 160 samples; we send what pacing allows."""
        while (chunk := self.playout.next_chunk()) is not None:
            self.queue.append((chunk.mark, chunk.end - chunk.start))
        budget = FRAME_SAMPLES
        while self.queue and budget > 0:
            mark, left = self.queue[0]
            used = min(left, budget)
            budget -= used
            if used == left:
                self.queue.popleft()
                self.playout.on_mark(mark)
            else:
                self.queue[0] = (mark, left - used)

    def heard_ms(self) -> int:
        return self.playout.heard_ms()

    def heard_text(self) -> str:
        return self.playout.heard_text()

    async def pause(self) -> int:
        self.clears += 1
        heard = self.playout.clear()
        for mark, _ in self.queue:  # Twilio returns the marks of cleared audio at once
            self.playout.on_mark(mark)
        self.queue.clear()
        return heard // 8

    async def resume(self) -> None:
        self.playout.resume()

    async def interrupt(self) -> str:
        return self.playout.interrupt()


def _corpus_tools(corpus: Path) -> Path:
    """Where score.py and baseline_energy.py are: beside the corpus, as in the team's folder,
    else the team's folder itself (a corpus built elsewhere, e.g. the training corpus)."""
    if (corpus.parent / "score.py").exists():
        return corpus.parent
    shared = bargein_dev_dir().parent
    if (shared / "score.py").exists():
        return shared
    raise SystemExit(f"no score.py beside {corpus} or in {shared}")


def _read(path: Path) -> np.ndarray:
    data, _ = sf.read(str(path), dtype="int16")
    return data


async def run_clip(
    clip: dict,
    root: Path,
    silero: SharedSilero,
    words: SegmentWords | None,
    settings: BargeInSettings | None = None,
    model: SegmentModel | None = None,
    collect: list[dict] | None = None,
    decode_ms: float | None = None,
) -> dict:
    mic = _read(root / clip["audio"])
    agent = _read(root / clip["agent_audio"])
    n = min(len(mic), len(agent)) // FRAME_SAMPLES
    inbound = pcm_to_ulaw(mic[: n * FRAME_SAMPLES])  # what Twilio sends, 160 bytes a frame
    outbound = pcm_to_ulaw(agent[: n * FRAME_SAMPLES])
    clock = FrameClock()
    playout = Playout(PlayoutSettings(chunk_ms=100, max_ahead_ms=200), clock=clock)
    playout.start_reply()
    playout.add_audio(outbound, text=clip.get("agent_text") or "")
    playout.finish_reply()
    line = SimulatedLine(playout=playout, clock=clock)
    decisions: list[dict] = []

    async def sink(event: object) -> None:
        decisions.append({k: getattr(event, k) for k in ("decision", "t_ms", "reason", "features")})

    ctl = BargeInController(
        settings,
        silero=silero,
        sink=sink,
        recognizer=words,
        replay=True,
        model=model,
        replay_decode_ms=decode_ms,
    )
    if collect is not None:  # training runs: every scored frame of every candidate

        def trace(t: int, start: int, f: dict) -> None:
            seg = ctl.policy.segment
            emb = seg.heard.embedding if seg is not None and seg.heard is not None else None
            collect.append({"id": clip["id"], "t_ms": t, "start_ms": start, **f, "emb": emb})

        ctl.policy.trace = trace
    raw_stream = SileroStream()
    hybrid: list[dict] = []
    pipecat: list[dict] = []
    run_ms, cancelled = 0, False
    lags: list[float] = []
    for i in range(n):
        clock.t = i * FRAME_S
        line.tick()
        payload = inbound[i * FRAME_SAMPLES : (i + 1) * FRAME_SAMPLES]
        pcm = ulaw_to_pcm(payload)
        # the corpus recorded the agent's audio as sent, sample-aligned: that is the echo reference
        far = ulaw_to_pcm(outbound[i * FRAME_SAMPLES : (i + 1) * FRAME_SAMPLES])
        frame = InboundFrame(
            pcm=pcm, timestamp_ms=i * 20, received_at=time.monotonic(), outbound=far
        )
        t0 = time.perf_counter()
        action = await ctl.on_frame(frame, line)
        lags.append(time.perf_counter() - t0)
        t_ms = (i + 1) * 20
        if isinstance(action, Pause):
            hybrid.append({"type": "pause", "t_ms": t_ms})
        elif isinstance(action, Resume):
            hybrid.append({"type": "resume", "t_ms": t_ms})
        elif isinstance(action, Confirm):
            hybrid.append({"type": "cancel", "t_ms": t_ms})
        # baseline (a): Silero alone on the raw line, confidence 0.7 held for 0.2 s -> cancel
        for p in await silero.score(raw_stream, pcm):
            run_ms = run_ms + 32 if p >= 0.7 else 0
            if run_ms >= 200 and not cancelled:
                cancelled = True
                pipecat.append({"type": "cancel", "t_ms": t_ms})
    return {
        "id": clip["id"],
        "hybrid": hybrid,
        "pipecat": pipecat,
        "decisions": decisions,
        "clears": line.clears,
        "features": [],
        "lag_ms": max(lags) * 1000 if lags else 0.0,
        "recognitions": ctl.recognitions_total,
        "decode_ms": ctl.decode_ms,
    }


def _spread(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None}
    return {k: round(float(np.percentile(values, q)), 1) for k, q in (("p50", 50), ("p95", 95))}


async def run(
    corpus: Path,
    out: Path | None,
    *,
    words: bool = True,
    settings: BargeInSettings | None = None,
    model: SegmentModel | None = None,
    decode_ms: float | None = None,
) -> dict:
    """Score the corpus. Candidate words land after each recognition's measured decode time,
    so the decisions near a threshold depend on the machine's speed; `decode_ms` fixes it
    (the same decisions on every run, for comparing two versions of the policy)."""
    manifest = corpus / "manifest.jsonl"
    clips = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]
    tools = _corpus_tools(corpus)
    scorer = _load(tools / "score.py")
    energy = _load(tools / "baseline_energy.py")
    lines = _load(Path(__file__).with_name("bargein_lines.py"))
    stutter = _load(Path(__file__).with_name("bargein_stutter.py"))
    targets = _load(Path(__file__).with_name("bargein_targets.py"))
    silero = SharedSilero()
    recognizer = SegmentWords() if words else None
    if recognizer is not None:
        await recognizer.warm_up()
    t0 = time.perf_counter()
    results = await asyncio.gather(
        *(
            run_clip(c, corpus, silero, recognizer, settings, model, decode_ms=decode_ms)
            for c in clips
        )
    )
    wall = time.perf_counter() - t0
    out = out or Path("bargein-results.jsonl")
    paths = {k: out.with_name(f"{out.stem}{suffix}{out.suffix}") for k, suffix in
             (("hybrid", ""), ("pipecat", ".silero-defaults"), ("energy", ".energy"))}  # fmt: skip
    # each detector's events per clip id (also what the per-line and stutter figures read)
    events: dict[str, dict[str, list[dict]]] = {"hybrid": {}, "pipecat": {}, "energy": {}}
    with (
        paths["hybrid"].open("w") as h,
        paths["pipecat"].open("w") as p,
        paths["energy"].open("w") as e,
    ):
        for clip, r in zip(clips, results, strict=True):
            pcm = ulaw_to_pcm(pcm_to_ulaw(_read(corpus / clip["audio"])))
            events["hybrid"][r["id"]] = r["hybrid"]
            events["pipecat"][r["id"]] = r["pipecat"]
            events["energy"][r["id"]] = energy.detect(pcm)
            h.write(
                json.dumps({"id": r["id"], "events": r["hybrid"], "why": r["decisions"]}) + "\n"
            )
            p.write(json.dumps({"id": r["id"], "events": r["pipecat"]}) + "\n")
            e.write(json.dumps({"id": r["id"], "events": events["energy"][r["id"]]}) + "\n")
    summary = {
        "corpus": str(corpus),
        "clips": len(clips),
        "wall_s": round(wall, 1),
        "silero_batches": silero.batches,
        "silero_windows": silero.windows,
        "recognitions": sum(r["recognitions"] for r in results),
        "recognition_ms": _spread([d for r in results for d in r["decode_ms"]]),
        "words_land_after_ms": "measured decode" if decode_ms is None else decode_ms,
        "max_clears_per_clip": max(r["clears"] for r in results),
        "hybrid": (hybrid := scorer.score(str(manifest), str(paths["hybrid"]))),
        "targets": targets.against_targets(hybrid),
        "silero_pipecat_defaults": scorer.score(str(manifest), str(paths["pipecat"])),
        "energy_baseline": scorer.score(str(manifest), str(paths["energy"])),
        # the same figures split by background and SNR: where the misses are
        "by_line": {
            name: lines.by_line(clips, events[key])
            for name, key in (
                ("hybrid", "hybrid"),
                ("silero_pipecat_defaults", "pipecat"),
                ("energy_baseline", "energy"),
            )
        },
        # resumed, then paused again within 300 ms: what a caller hears as a broken voice
        "stutter": {
            "hybrid": stutter.stutters(clips, events["hybrid"]),
            "energy_baseline": stutter.stutters(clips, events["energy"]),
        },
        # how long a resumed pause on an ignore clip kept the agent quiet
        "hiccups": {
            "hybrid": stutter.hiccups(clips, events["hybrid"]),
            "energy_baseline": stutter.hiccups(clips, events["energy"]),
        },
        "results": {k: str(v) for k, v in paths.items()},
    }
    silero.close()
    return summary


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--no-words", action="store_true", help="Skip candidate recognition.")
    ap.add_argument("--settings", default=None, help="JSON object of BargeInSettings overrides.")
    ap.add_argument("--model", type=Path, default=None, help="Candidate scorer JSON to try.")
    ap.add_argument("--decode-ms", type=float, default=None,
                    help="Words land this long after they are asked for (default: the "
                         "measured decode time; fix it to compare runs).")  # fmt: skip
    args = ap.parse_args(argv)
    settings = BargeInSettings.from_mapping(json.loads(args.settings)) if args.settings else None
    model = SegmentModel.load(args.model) if args.model else None
    summary = asyncio.run(
        run(
            args.corpus,
            args.out,
            words=not args.no_words,
            settings=settings,
            model=model,
            decode_ms=args.decode_ms,
        )
    )
    json.dump(summary, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()

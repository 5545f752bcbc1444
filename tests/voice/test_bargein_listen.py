"""Recognition on a barge-in candidate: when it runs, when its words land, what a new candidate
or a failing recogniser leaves behind. Real Whisper (tiny.en) on a corpus clip."""

import numpy as np
import pytest
import soundfile as sf

from switchboard.testing.corpus import bargein_dev_dir
from voice.bargein_listen import CandidateListener
from voice.bargein_settings import BargeInSettings
from voice.bargein_words import SegmentWords
from voice.codec import FRAME_MS, FRAME_SAMPLES

CORPUS = bargein_dev_dir()
SETTINGS = BargeInSettings()  # words after 120 ms of voice, again every 160 ms more


@pytest.fixture(scope="module")
def words():
    recognizer = SegmentWords()
    yield recognizer
    recognizer.close()


def _frames(cid: str, from_ms: int) -> list[np.ndarray]:
    if not CORPUS.exists():
        pytest.skip("barge-in corpus not present beside the checkout")
    pcm, _ = sf.read(str(CORPUS / "clips" / f"{cid}.wav"), dtype="int16")
    pcm = pcm[8 * from_ms :]
    return [pcm[i : i + FRAME_SAMPLES] for i in range(0, len(pcm) - FRAME_SAMPLES, FRAME_SAMPLES)]


async def test_recognition_waits_for_voice_then_runs_one_at_a_time_and_lands_on_time(words):
    frames = _frames("d0018", 630)  # "Please re-enter your password...", onset 830 ms
    listener = CandidateListener(words, replay=True)
    listener.start(frames[:10])  # the pre-roll kept before the onset
    t_ms, voiced = 1000, 0
    for pcm in frames[10:15]:  # 100 ms of voice: not yet
        t_ms, voiced = t_ms + FRAME_MS, voiced + FRAME_MS
        listener.add(pcm, voiced_ms=voiced, t_ms=t_ms, settings=SETTINGS)
    assert listener.recognitions == 0
    t_ms, voiced = t_ms + FRAME_MS, voiced + FRAME_MS
    listener.add(frames[15], voiced_ms=voiced, t_ms=t_ms, settings=SETTINGS)  # 120 ms
    asked = t_ms
    assert listener.recognitions == 1
    # while it runs, more voice asks for nothing more
    listener.add(frames[16], voiced_ms=400, t_ms=t_ms + FRAME_MS, settings=SETTINGS)
    assert listener.recognitions == 1
    # replay: the words land where a live decode would have finished, not before
    assert await listener.collect(asked) is None
    decode = listener.decode_ms[0]
    lands = asked + int(np.ceil(decode / FRAME_MS)) * FRAME_MS
    assert await listener.collect(lands - FRAME_MS) is None
    heard = await listener.collect(lands)
    assert heard is not None and "please" in heard.text.lower()
    assert await listener.collect(lands + FRAME_MS) is None  # handed over once
    # the next recognition comes after `words_every_ms` more voice than the first covered
    listener.add(frames[17], voiced_ms=120 + 140, t_ms=lands, settings=SETTINGS)
    assert listener.recognitions == 1
    listener.add(frames[18], voiced_ms=120 + 160, t_ms=lands + FRAME_MS, settings=SETTINGS)
    assert listener.recognitions == 2 and listener.recognitions_total == 2


async def test_a_new_candidate_drops_the_old_ones_words(words):
    frames = _frames("d0018", 630)
    listener = CandidateListener(words, replay=True)
    listener.start(frames[:10])
    listener.add(frames[10], voiced_ms=200, t_ms=1000, settings=SETTINGS)
    assert listener.recognitions == 1
    listener.start(frames[:2])  # e.g. a louder voice inside the pause: a candidate of its own
    assert listener.recognitions == 0
    assert await listener.collect(10_000) is None  # the old candidate's words never land
    assert listener.recognitions_total == 1


async def test_a_fixed_decode_time_lands_the_words_then_whatever_the_decode_took(words):
    frames = _frames("d0018", 630)
    listener = CandidateListener(words, replay=True, decode_ms=990)  # ~10x tiny.en's
    listener.start(frames[:10])
    listener.add(frames[10], voiced_ms=200, t_ms=1000, settings=SETTINGS)
    assert await listener.collect(1000 + 980) is None
    assert len(listener.decode_ms) == 1  # the measured time is still recorded
    heard = await listener.collect(1000 + 1000)  # 990 ms rounds up to whole frames
    assert heard is not None and heard.text
    with pytest.raises(ValueError, match="replay"):
        CandidateListener(words, decode_ms=50)  # live words land when they are ready


class Unreachable:
    """A recogniser whose service is down (what a remote STT does when the network fails)."""

    async def transcribe(self, pcm):
        raise ConnectionError("speech service unreachable")


async def test_a_failing_recogniser_gives_no_words_and_the_candidate_goes_on(caplog):
    listener = CandidateListener(Unreachable(), replay=True)
    listener.start([np.zeros(FRAME_SAMPLES, np.int16)])
    listener.add(np.ones(FRAME_SAMPLES, np.int16), voiced_ms=200, t_ms=500, settings=SETTINGS)
    assert await listener.collect(500) is None
    assert "candidate recognition failed" in caplog.text
    assert listener.decode_ms == []
    # the failed one is over: more voice asks again
    listener.add(np.ones(FRAME_SAMPLES, np.int16), voiced_ms=400, t_ms=520, settings=SETTINGS)
    assert listener.recognitions == 2


async def test_without_a_recogniser_nothing_is_asked():
    listener = CandidateListener(None)
    listener.start([])
    listener.add(np.zeros(FRAME_SAMPLES, np.int16), voiced_ms=5000, t_ms=100, settings=SETTINGS)
    assert listener.recognitions_total == 0
    assert await listener.collect(100) is None

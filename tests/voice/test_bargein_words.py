"""Candidate recognition: the short-context Whisper decode and when its words reach the policy."""

import numpy as np
import pytest
import soundfile as sf

from switchboard.testing.corpus import bargein_dev_dir
from voice.bargein_words import HeardWords, SegmentWords

CORPUS = bargein_dev_dir()


@pytest.fixture(scope="module")
def words():
    recognizer = SegmentWords()
    yield recognizer
    recognizer.close()


def _clip(cid: str) -> np.ndarray:
    if not CORPUS.exists():
        pytest.skip("barge-in corpus not present beside the checkout")
    pcm, _ = sf.read(str(CORPUS / "clips" / f"{cid}.wav"), dtype="int16")
    return pcm


async def test_clean_speech_is_heard_with_confidence(words):
    pcm = _clip("d0018")  # "Please re-enter your password...", onset 830 ms, no background
    heard = await words.hear(pcm[8 * 630 : 8 * 2430])
    assert isinstance(heard, HeardWords)
    assert "please" in heard.text.lower() and "enter" in heard.text.lower()
    assert heard.no_speech < 0.5
    assert heard.decode_ms > 0
    # the encoder's average over the audio: a 384-d vector (tiny.en), finite, not all padding
    assert heard.embedding is not None and heard.embedding.shape == (384,)
    assert np.all(np.isfinite(heard.embedding)) and float(np.abs(heard.embedding).sum()) > 1.0


async def test_embedding_tells_speech_from_a_hum(words):
    speech = (await words.hear(_clip("d0018")[8 * 630 : 8 * 2430])).embedding
    again = (await words.hear(_clip("d0018")[8 * 700 : 8 * 2430])).embedding
    t = np.arange(8 * 1800) / 8000
    hum = (np.sin(2 * np.pi * 150 * t) * 6000).astype(np.int16)
    tone = (await words.hear(hum)).embedding

    def cos(a, b):
        return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))

    assert cos(speech, again) > cos(speech, tone)


async def test_too_short_or_silent_input_gives_no_words(words):
    assert (await words.hear(np.zeros(400, np.int16))).text == ""
    silent = await words.hear(np.zeros(8000, np.int16))
    assert silent.no_speech > 0.5 or silent.text == ""


async def test_plain_transcribe_protocol(words):
    text = await words.transcribe(_clip("d0018")[8 * 630 : 8 * 2430])
    assert "please" in text.lower()

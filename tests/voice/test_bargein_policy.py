"""The pure decision rules, frame by frame."""

from voice.bargein_policy import BargeInPolicy, FrameEvidence, Verdict


def _frames(policy, start_ms, count, **kw):
    out = []
    for k in range(count):
        t = start_ms + 20 * (k + 1)
        probs = kw.get("probs", ())
        level = kw.get("level", -20.0 + (12.0 if k % 6 < 3 else 0.0))  # syllable swing
        ev = FrameEvidence(
            t_ms=t,
            level_db=level,
            active=kw.get("active", True),
            flatness=0.2,
            probs=probs if (k % 3) != 2 else (),
            dtmf=kw.get("dtmf", False),
            echo=kw.get("echo", False),
        )
        d = policy.step(ev)
        if d is not None:
            out.append(d)
    return out


def test_onset_pauses_after_hold_then_long_clear_speech_confirms():
    p = BargeInPolicy()
    assert _frames(p, 0, 10, active=False) == []
    decisions = _frames(p, 200, 60, probs=(0.97,))[:2]  # the controller stops feeding on confirm
    assert [d.verdict for d in decisions] == [Verdict.PAUSE, Verdict.CONFIRM]
    assert decisions[0].t_ms == 240  # two 20 ms frames of hold
    assert decisions[1].features["voiced_ms"] > p.settings.backchannel_ms


def test_short_voiced_burst_resumes_when_it_ends():
    p = BargeInPolicy()
    burst = _frames(p, 0, 12, probs=(0.95,))
    tail = _frames(p, 240, 20, active=False, probs=(0.05,))
    assert [d.verdict for d in burst + tail] == [Verdict.PAUSE, Verdict.RESUME]
    assert (burst + tail)[-1].reason == "ended"


def test_loud_noise_without_voice_resumes():
    p = BargeInPolicy()
    decisions = _frames(p, 0, 40, probs=(0.05,))
    assert [d.verdict for d in decisions][:2] == [Verdict.PAUSE, Verdict.RESUME]
    assert decisions[1].reason == "not speech"


def test_dtmf_and_echo_never_pause():
    assert _frames(BargeInPolicy(), 0, 30, probs=(0.9,), dtmf=True) == []
    assert _frames(BargeInPolicy(), 0, 30, probs=(0.9,), echo=True) == []


def test_backchannel_words_do_not_confirm_but_content_words_do():
    p = BargeInPolicy()
    _frames(p, 0, 3, probs=(0.95,))
    p.hear_words("yeah okay")
    d = _frames(p, 60, 14, probs=(0.95,))
    assert all(x.verdict is not Verdict.CONFIRM for x in d)
    p.hear_words("wait I need to change it")
    d = _frames(p, 340, 2, probs=(0.95,))
    assert d and d[-1].verdict is Verdict.CONFIRM and d[-1].reason == "words"


def _heard(text, no_speech=0.1, logprob=-0.5):
    from voice.bargein_words import HeardWords

    return HeardWords(text=text, no_speech=no_speech, logprob=logprob, decode_ms=150.0)


def test_word_classes_lexicon_laughs_and_trust():
    p = BargeInPolicy()
    _frames(p, 0, 3, probs=(0.95,))
    assert p.word_class() == ""  # nothing heard yet
    p.hear(_heard("Mm-hmm, yeah."))
    assert p.word_class() == "backchannel"
    p.hear(_heard("Hahaha"))
    assert p.word_class() == "backchannel"
    p.hear(_heard("and the"))
    assert p.word_class() == ""  # function words start real turns and noise alike
    p.hear(_heard("Cancel my appointment"))
    assert p.word_class() == "content"
    p.hear(_heard("Cancel my appointment", no_speech=0.9))
    assert p.word_class() == ""  # Whisper itself doubts there was speech
    p.hear(_heard("Cancel my appointment", logprob=-3.0))
    assert p.word_class() == ""
    p.hear(_heard("side, side"))
    assert p.word_class() == ""  # a stuck decoder repeating one word


def test_backchannel_words_resume_a_long_hum_at_the_window_end():
    p = BargeInPolicy()
    _frames(p, 0, 3, probs=(0.99,))
    p.hear(_heard("mhm"))
    # a steady, well-modulated voiced hum past the backchannel length: words keep it a backchannel
    d = _frames(p, 60, 40, probs=(0.99,))
    assert d and d[0].verdict is Verdict.RESUME and d[0].reason == "backchannel words"

"""The pure decision rules, frame by frame (with small explicit scorers, so each rule shows)."""

import numpy as np
import pytest

from tests.voice.stand_ins import stump
from voice.bargein_model import FEATURES
from voice.bargein_policy import REONSET, BargeInPolicy, FrameEvidence, Verdict
from voice.bargein_settings import BargeInSettings
from voice.errors import VoiceError

LONG_VOICE = stump("voiced_ms", 300, -5.0, 5.0)  # turns are longer than 300 ms of voice


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
            probs=probs if (k % 3) != 2 else (),
            dtmf=kw.get("dtmf", False),
            echo=kw.get("echo", False),
            frames=kw.get("frames", ()),
        )
        d = policy.step(ev)
        if d is not None:
            out.append(d)
    return out


def test_onset_pauses_after_hold_then_a_high_score_confirms():
    p = BargeInPolicy(model=LONG_VOICE)
    assert _frames(p, 0, 10, active=False) == []
    decisions = _frames(p, 200, 60, probs=(0.97,))[:2]  # the controller stops feeding on confirm
    assert [d.verdict for d in decisions] == [Verdict.PAUSE, Verdict.CONFIRM]
    assert decisions[0].t_ms == 240  # two 20 ms frames of hold
    assert decisions[1].reason == "turn"
    assert decisions[1].features["voiced_ms"] > 300
    assert decisions[1].features["score"] > 0.99


def test_a_clear_score_still_waits_for_confirm_ms():
    always = stump("elapsed_ms", -1.0, 5.0, 5.0)
    p = BargeInPolicy(BargeInSettings(confirm_ms=160), model=always)
    d = _frames(p, 0, 30, probs=(0.97,))[:2]
    assert [x.verdict for x in d] == [Verdict.PAUSE, Verdict.CONFIRM]
    assert d[1].t_ms - 0 >= 160  # the candidate began at 0


def test_short_voiced_burst_resumes_when_it_ends():
    p = BargeInPolicy(model=LONG_VOICE)
    burst = _frames(p, 0, 12, probs=(0.95,))
    tail = _frames(p, 240, 20, active=False, probs=(0.05,))
    assert [d.verdict for d in burst + tail] == [Verdict.PAUSE, Verdict.RESUME]
    assert (burst + tail)[-1].reason == "ended"


def test_loud_noise_without_voice_resumes():
    p = BargeInPolicy(model=LONG_VOICE)
    decisions = _frames(p, 0, 40, probs=(0.05,))
    assert [d.verdict for d in decisions][:2] == [Verdict.PAUSE, Verdict.RESUME]
    assert decisions[1].reason == "not speech"


def test_dtmf_and_echo_never_pause():
    assert _frames(BargeInPolicy(model=LONG_VOICE), 0, 30, probs=(0.9,), dtmf=True) == []
    assert _frames(BargeInPolicy(model=LONG_VOICE), 0, 30, probs=(0.9,), echo=True) == []


def test_a_keypad_tone_resumes_and_the_next_key_does_not_pause_again():
    # a tone the detector flags only from its third frame (its first frames share the line
    # with noise): paused, then resumed as dtmf; the next key's tone, as loud and again
    # unflagged at first, must not stop the agent once more (keys come in runs)
    p = BargeInPolicy(model=LONG_VOICE)
    first = _frames(p, 0, 2, probs=(0.1,), level=-24.0) + _frames(
        p, 40, 3, probs=(0.1,), level=-24.0, dtmf=True
    )
    assert [d.reason for d in first] == ["onset", "dtmf"]
    assert _frames(p, 100, 5, active=False, probs=(0.05,), level=-55.0) == []
    assert _frames(p, 200, 2, probs=(0.1,), level=-24.0) == []
    # a caller who then talks pauses it again as soon as Silero hears the voice
    assert [d.reason for d in _frames(p, 300, 4, probs=(0.9,), level=-24.0)] == ["onset"]


def test_a_low_score_resumes_at_the_window_end_and_rearms():
    never = stump("elapsed_ms", -1.0, -5.0, -5.0)
    p = BargeInPolicy(BargeInSettings(max_confirm_ms=400), model=never)
    d = _frames(p, 0, 40, probs=(0.99,))
    assert [x.verdict for x in d][:2] == [Verdict.PAUSE, Verdict.RESUME]
    assert d[1].reason == "not a turn" and d[1].t_ms >= 400
    # right after, loud audio without voice evidence does not pause again (re-arm window)
    assert _frames(p, 800, 10, probs=(0.1,)) == []


def test_during_the_rearm_window_only_a_louder_sound_pauses_without_voice_evidence():
    def rearmed(rise):
        p = BargeInPolicy(BargeInSettings(rearm_rise_db=rise), model=LONG_VOICE)
        noise = _frames(p, 0, 20, probs=(0.05,), level=-30.0)  # a door: loud, no voice
        assert [d.reason for d in noise] == ["onset", "not speech"]
        assert _frames(p, 400, 10, active=False, probs=(0.05,), level=-60.0) == []
        return p

    # the same noise again, within the window: no pause without Silero's evidence
    assert _frames(rearmed(6.0), 600, 10, probs=(0.05,), level=-30.0) == []
    # a caller speaking up 7 dB over its loudest frame pauses at once (after the hold), and Silero
    # has not caught up yet
    louder = _frames(rearmed(6.0), 600, 10, probs=(0.05,), level=-23.0)
    assert [(d.reason, d.t_ms) for d in louder][:1] == [("onset", 640)]
    # 5 dB over is not enough at a 6 dB rise; and with the rise off, only Silero re-arms
    assert _frames(rearmed(6.0), 600, 10, probs=(0.05,), level=-25.0) == []
    assert _frames(rearmed(None), 600, 10, probs=(0.05,), level=-23.0) == []
    with pytest.raises(VoiceError, match="rearm_rise_db"):
        BargeInSettings.from_mapping({"rearm_rise_db": -1})


def test_settings_override_the_models_operating_point():
    middling = stump("elapsed_ms", -1.0, 0.0, 0.0)  # score 0.5 everywhere
    stock = BargeInPolicy(BargeInSettings(max_confirm_ms=300), model=middling)
    assert [x.reason for x in _frames(stock, 0, 30, probs=(0.99,))][1] == "turn at window end"
    eager = BargeInPolicy(BargeInSettings(confirm_score=0.4), model=middling)
    assert [x.reason for x in _frames(eager, 0, 30, probs=(0.99,))][1] == "turn"
    strict = BargeInPolicy(
        BargeInSettings(max_confirm_ms=300, max_extend_ms=300, timeout_score=0.6), model=middling
    )
    assert [x.reason for x in _frames(strict, 0, 30, probs=(0.99,))][1] == "not a turn"


def test_a_promising_candidate_stays_paused_past_the_window_then_resumes():
    middling = stump("elapsed_ms", -1.0, 0.0, 0.0)  # score 0.5 everywhere
    settings = BargeInSettings(
        max_confirm_ms=300, max_extend_ms=500, timeout_score=0.6, extend_score=0.4
    )
    d = _frames(BargeInPolicy(settings, model=middling), 0, 40, probs=(0.99,))
    assert [x.reason for x in d][:2] == ["onset", "not a turn"]
    assert d[1].t_ms == 500  # kept paused to the longest extension, not resumed at 300
    # below the extend score it resumes at the window end, as before
    settings = BargeInSettings(
        max_confirm_ms=300, max_extend_ms=500, timeout_score=0.6, extend_score=0.55
    )
    d = _frames(BargeInPolicy(settings, model=middling), 0, 40, probs=(0.99,))
    assert d[1].reason == "not a turn" and d[1].t_ms == 300


def _heard(text, no_speech=0.1, logprob=-0.5):
    from voice.bargein_words import HeardWords

    return HeardWords(text=text, no_speech=no_speech, logprob=logprob, decode_ms=150.0)


@pytest.mark.parametrize(
    ("text", "content", "backchannel_only"),
    [
        ("Mm-hmm, yeah.", 0, 1),
        ("Hahaha", 0, 1),
        ("and the", 0, 0),  # function words start real turns and noise alike
        ("Cancel my appointment", 3, 0),
    ],
)
def test_words_become_features(text, content, backchannel_only):
    p = BargeInPolicy(model=LONG_VOICE)
    _frames(p, 0, 3, probs=(0.95,))
    assert p.features()["words_ready"] == 0
    p.hear(_heard(text, no_speech=0.2, logprob=-0.7))
    f = p.features()
    assert (f["words_ready"], f["content_words"], f["backchannel_only"]) == (
        1,
        content,
        backchannel_only,
    )
    assert (f["no_speech"], f["logprob"]) == (0.2, -0.7)


def test_words_steer_the_score():
    by_words = stump("content_words", 0.5, -5.0, 5.0)
    p = BargeInPolicy(model=by_words)
    _frames(p, 0, 3, probs=(0.95,))
    p.hear(_heard("yeah okay"))
    assert all(x.verdict is not Verdict.CONFIRM for x in _frames(p, 60, 14, probs=(0.95,)))
    p.hear(_heard("wait I need to change it"))
    d = _frames(p, 340, 2, probs=(0.95,))
    assert d and d[-1].verdict is Verdict.CONFIRM and d[-1].features["words"].startswith("wait")


def test_every_model_input_is_computed_and_traced():
    p = BargeInPolicy(model=LONG_VOICE)
    seen = []
    p.trace = lambda t, start, f: seen.append((t, start, f))
    tone = (np.sin(2 * np.pi * 180 * np.arange(320) / 8000) * 8000).astype(np.int16)
    _frames(p, 0, 8, probs=(0.95,), frames=(tone[:160], tone[160:]))
    assert seen and all(start == 0 for _, start, _ in seen)
    f = seen[-1][2]
    assert set(FEATURES) <= set(f)
    assert f["periodicity"] > 0.9 and f["periodic_share"] == 1.0  # a steady pitch
    assert f["elapsed_ms"] == seen[-1][0]


def test_background_is_what_the_line_carried_before_the_candidate():
    p = BargeInPolicy(model=LONG_VOICE)
    _frames(p, 0, 50, active=False, level=-50.0, probs=(0.1,))
    _frames(p, 1000, 6, probs=(0.95,), level=-20.0)
    f = p.features()
    assert -51 < f["bg_level_db"] < -49 and f["rise_db"] > 25
    assert f["bg_prob"] < 0.2


def test_a_voice_rising_out_of_a_loud_background_pauses_without_the_energy_detector():
    p = BargeInPolicy(model=LONG_VOICE)
    # a loud room the energy floor has risen into: never "active", Silero unsure
    assert _frames(p, 0, 50, active=False, level=-30.0, probs=(0.3,)) == []
    # a caller 5 dB over it: Silero is sure, energy still says nothing
    d = _frames(p, 1000, 6, active=False, level=-25.0, probs=(0.95,))
    assert d and d[0].verdict is Verdict.PAUSE
    # the same voice evidence at the room's own level is the room: no pause
    q = BargeInPolicy(model=LONG_VOICE)
    _frames(q, 0, 50, active=False, level=-30.0, probs=(0.3,))
    assert _frames(q, 1000, 6, active=False, level=-30.0, probs=(0.95,)) == []


def test_earlier_candidates_are_remembered_for_two_seconds():
    never = stump("elapsed_ms", -1.0, -5.0, -5.0)
    p = BargeInPolicy(BargeInSettings(max_confirm_ms=300, rearm_ms=0), model=never)
    first = _frames(p, 0, 16, probs=(0.99,))
    assert [x.reason for x in first] == ["onset", "not a turn"]
    assert first[1].features["prior_ms"] == 0  # nothing before the first one
    assert _frames(p, 320, 10, active=False, probs=(0.05,)) == []
    later = _frames(p, 600, 4, probs=(0.99,))
    assert later and later[0].verdict is Verdict.PAUSE
    f = p.features()
    assert f["prior_ms"] >= 300 and f["prior_score"] < 0.01
    assert 0 < f["prior_gap_ms"] < 600
    p.reset()  # the reply ended: a new reply starts with no history
    _frames(p, 5000, 4, probs=(0.99,))
    assert p.features()["prior_ms"] == 0


def test_a_plausible_candidate_still_going_at_the_longest_pause_gets_the_turn():
    middling = stump("elapsed_ms", -1.0, 0.0, 0.0)  # score 0.5 everywhere
    settings = BargeInSettings(
        max_confirm_ms=300, max_extend_ms=500, timeout_score=0.6, extend_score=0.4, final_score=0.5
    )
    d = _frames(BargeInPolicy(settings, model=middling), 0, 40, probs=(0.99,))
    assert [x.reason for x in d][:2] == ["onset", "turn at longest pause"]
    assert d[1].verdict is Verdict.CONFIRM and d[1].t_ms == 500  # not before the longest pause
    # one notch stricter and it resumes there, as before
    stricter = BargeInSettings(
        max_confirm_ms=300, max_extend_ms=500, timeout_score=0.6, extend_score=0.4, final_score=0.55
    )
    d = _frames(BargeInPolicy(stricter, model=middling), 0, 40, probs=(0.99,))
    assert d[1].reason == "not a turn" and d[1].t_ms == 500


def test_a_model_without_a_final_score_decides_the_longest_pause_as_the_window_end():
    middling = stump("elapsed_ms", -1.0, 0.0, 0.0)  # score 0.5, trained without a final rule
    assert middling.final_score is None
    settings = BargeInSettings(
        max_confirm_ms=300, max_extend_ms=500, timeout_score=0.6, extend_score=0.4
    )
    d = _frames(BargeInPolicy(settings, model=middling), 0, 40, probs=(0.99,))
    assert d[1].reason == "not a turn" and d[1].t_ms == 500  # the window-end score, 0.6


def test_a_louder_voice_inside_an_open_candidate_starts_a_new_one():
    never = stump("elapsed_ms", -1.0, -5.0, -5.0)  # nothing confirms: the candidates show
    p = BargeInPolicy(model=never)
    _frames(p, 0, 50, active=False, level=-50.0, probs=(0.1,))
    # a quiet room opens a candidate; 300 ms later the caller speaks 15 dB over it
    room = _frames(p, 1000, 15, level=-40.0, probs=(0.6,))
    assert [d.reason for d in room] == ["onset"]
    caller = _frames(p, 1300, 4, level=-25.0, probs=(0.95,))
    assert [(d.verdict, d.reason) for d in caller] == [(Verdict.PAUSE, REONSET)]
    assert caller[0].t_ms == 1340  # two frames louder than anything before them
    assert p.segment is not None and p.segment.start_ms == 1300  # judged from the caller on
    f = p.features()
    assert f["prior_ms"] >= 300  # the room's candidate is its past, as a resumed one is
    assert f["bg_level_db"] < -49  # the background is still what came before the room


def test_syllables_and_a_disabled_setting_never_restart_a_candidate():
    never = stump("elapsed_ms", -1.0, -5.0, -5.0)
    # the caller's own syllables swing 12 dB, but never above the loudest earlier frame
    d = _frames(BargeInPolicy(model=never), 0, 30, probs=(0.95,))
    assert REONSET not in [x.reason for x in d]
    off = BargeInPolicy(BargeInSettings(reonset_rise_db=None), model=never)
    _frames(off, 1000, 15, level=-40.0, probs=(0.6,))
    assert _frames(off, 1300, 4, level=-25.0, probs=(0.95,)) == []
    with pytest.raises(VoiceError, match="reonset_rise_db"):
        BargeInSettings.from_mapping({"reonset_rise_db": 0})


def test_frames_no_rule_can_use_are_scored_only_when_their_score_is_remembered():
    """Before `confirm_ms` no decision reads the score, so the policy skips it, but a candidate
    that ends there leaves its last score in the history: every decision must be exactly what
    scoring every frame gives (a trace forces that)."""

    def run(traced: bool):
        p = BargeInPolicy(BargeInSettings(rearm_ms=0))  # the shipped scorer
        if traced:
            p.trace = lambda *args: None
        rng = np.random.default_rng(11)
        out = []
        t = 0
        for burst in [3, 6, 9, 4, 30, 5, 7, 45, 8, 3, 25]:  # candidates of 60-900 ms
            out += _frames(p, t, burst, probs=(float(rng.uniform(0.6, 1.0)),))
            t += 20 * burst
            out += _frames(p, t, 12, active=False, probs=(0.02,), level=-60.0)
            t += 240
        return [(d.verdict, d.t_ms, d.reason, d.features) for d in out]

    eager, lazy = run(traced=True), run(traced=False)
    assert lazy == eager
    priors = [f["prior_score"] for *_, f in lazy if f.get("prior_score")]
    assert priors  # short candidates' scores did reach later candidates' features


def test_a_frame_that_needs_a_score_is_asked_for_and_decided_by_its_score():
    from voice.bargein_policy import ScoreRequest

    p = BargeInPolicy(model=LONG_VOICE)
    assert _frames(p, 0, 3, probs=(0.97,))[0].verdict is Verdict.PAUSE  # paused at 40 ms
    t, got = 60, None
    while not isinstance(got, ScoreRequest):  # frames before confirm_ms need no score
        t += 20
        got = p.begin(FrameEvidence(t_ms=t, level_db=-8.0, active=True, probs=(0.97,)))
    assert t >= p.settings.confirm_ms  # the candidate began at 0
    assert got.inputs.shape == (len(FEATURES) + LONG_VOICE.embedding_dims,)
    assert p.finish(0.1) is None  # a low score: stay paused
    p.begin(FrameEvidence(t_ms=t + 20, level_db=-8.0, active=True, probs=(0.97,)))
    decided = p.finish(0.99)
    assert decided is not None and decided.verdict is Verdict.CONFIRM
    assert decided.features["score"] == 0.99
    # a candidate gone while its score was computed (the caller's key press): nothing to decide
    q = BargeInPolicy(model=LONG_VOICE)
    _frames(q, 0, 3, probs=(0.97,))
    for k in range(20):
        got = q.begin(FrameEvidence(t_ms=80 + 20 * k, level_db=-8.0, active=True, probs=(0.97,)))
        if isinstance(got, ScoreRequest):
            break
    q.reset()
    assert q.finish(0.99) is None

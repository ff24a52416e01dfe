"""The live mode's parts without a camera: set-up check, coach, capture thread, sound.

Set-up and coach run on hand-built poses and frame results with known answers; the capture
thread runs on real time with a frame iterator; sound makes real WAV bytes (and real speech
when espeak-ng is installed).
"""

from __future__ import annotations

import io
import shutil
import threading
import time
import wave

import numpy as np
import pytest

from formcheck.exercises import load_exercise
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.setup_check import check_setup
from formcheck.media.capture import FrameGrabber
from formcheck.media.frame import Frame
from formcheck.pose import landmarks as lm
from formcheck.run.coach import (
    ALL_DONE_CUE,
    HOLD_BROKEN,
    HOLD_STARTED,
    OTHER_SIDE_CUE,
    SETUP_STABLE_S,
    TARGET_REACHED,
    LiveCoach,
)
from formcheck.run.sound import SoundOut, speech_wav, tone_wav
from tests.poses import observation, standing

W, H = 640, 480


# --- set-up check -----------------------------------------------------------------------------

def test_side_on_whole_body_is_ok():
    assert check_setup(observation(standing(hip=(320.0, 220.0))), W, H).ok


def test_no_person_asks_to_step_into_view():
    v = check_setup(None, W, H)
    assert not v.ok and v.code == "no_person"


def test_feet_out_of_frame_is_cut_off():
    xy = standing(hip=(320.0, 300.0))  # ankles at y = 500 > 480
    v = check_setup(observation(xy), W, H)
    assert (v.ok, v.code) == (False, "cut_off") and "Step back" in v.message


def test_small_body_is_too_far():
    xy = standing(hip=(320.0, 220.0))
    centre = np.array([320.0, 220.0])
    small = centre + (xy - centre) * 0.3  # ~110 px tall in a 480 px frame
    v = check_setup(observation(small), W, H)
    assert (v.ok, v.code) == (False, "too_far")


def test_facing_the_camera_asks_to_turn_sideways():
    xy = standing(hip=(320.0, 220.0))
    for idx, dx in ((lm.SHOULDER, 70.0), (lm.HIP, 50.0)):  # shoulders 140 px apart on a 150 px torso
        xy[idx["left"]] += [dx, 0.0]
        xy[idx["right"]] -= [dx, 0.0]
    v = check_setup(observation(xy), W, H)
    assert (v.ok, v.code) == (False, "not_side_on") and "sideways" in v.message


def test_hidden_far_leg_is_fine_but_hidden_pair_is_not():
    obs = observation(standing(hip=(320.0, 220.0)))
    obs.vis[lm.KNEE["right"]] = 0.1  # far knee hidden, near knee seen
    assert check_setup(obs, W, H).ok
    obs.vis[lm.KNEE["left"]] = 0.1  # both knees hidden
    assert check_setup(obs, W, H).code == "cut_off"


# --- coach ------------------------------------------------------------------------------------

LUNGE = load_exercise("kneeling-hip-flexor")
BRIDGE = load_exercise("bridge")


def fr(t: float, in_hold: bool = False, good: float = 0.0, side: str | None = "left", cue: str = "",
       at_top: bool = False, reps: int = 0) -> FrameResult:
    return FrameResult(index=int(t * 10), t=t, found=True, xy=np.full((33, 2), np.nan), values={}, statuses={},
                       in_position=in_hold, side=side, facing=1, in_hold=in_hold, hold_good_s=good, at_top=at_top,
                       reps_done=reps, cue=cue, cue_code="", faults=())


def test_setup_must_stay_good_before_timing():
    coach = LiveCoach(LUNGE)
    ok = check_setup(observation(standing(hip=(320.0, 220.0))), W, H)
    bad = check_setup(None, W, H)
    assert coach.on_setup(0.0, ok).phase == "setup"
    assert coach.on_setup(0.6, bad).phase == "setup"  # a bad frame restarts the wait
    assert coach.on_setup(1.0, ok).phase == "setup"
    s = coach.on_setup(1.0 + SETUP_STABLE_S, ok)
    assert s.phase == "active" and s.cue == "Get into position"


def test_hold_events_and_other_side_then_all_done():
    coach = LiveCoach(LUNGE)
    coach.phase = "active"
    ev = []
    seq = [fr(0, cue="Get into position"), fr(1, True, 0.5, cue="Good form - hold it"),
           fr(2, True, 10.0, cue="Tuck"), fr(3, False, cue="Get into position"),  # broken early
           fr(4, True, 0.5), fr(5, True, 30.0, cue="Good form - hold it"), fr(6, True, 31.0),
           fr(7, False, cue="Get into position"),  # ended after the target: not a break
           fr(8, True, 1.0, side="right", cue="Good form - hold it"), fr(9, True, 30.0, side="right")]
    states = [coach.on_result(r) for r in seq]
    for s in states:
        ev.extend(s.events)
    assert ev == [HOLD_STARTED, HOLD_BROKEN, HOLD_STARTED, TARGET_REACHED, HOLD_STARTED, TARGET_REACHED]
    assert states[2].cue == "Tuck"
    assert states[5].cue == OTHER_SIDE_CUE and states[7].cue == OTHER_SIDE_CUE
    assert states[8].cue == "Good form - hold it"  # the other side's hold is under way: its own cue
    assert states[9].cue == ALL_DONE_CUE and states[9].sides_done == ("left", "right")


def test_rep_events():
    coach = LiveCoach(BRIDGE)
    coach.phase = "active"
    seq = [fr(0, side=None), fr(1, side=None, at_top=True), fr(2, side=None, at_top=True),
           fr(3, side=None, reps=1), fr(4, side=None, reps=1)]
    ev = [e for r in seq for e in coach.on_result(r).events]
    assert ev == [HOLD_STARTED, TARGET_REACHED]


# --- capture thread ---------------------------------------------------------------------------

def frames(n: int, dt: float, fail_at: int | None = None):
    img = np.zeros((4, 4, 3), np.uint8)
    for i in range(n):
        if i == fail_at:
            raise OSError("device unplugged")
        yield Frame(i, i * dt, img)


def test_paced_file_keeps_real_time_and_drops_stale_frames():
    g = FrameGrabber(frames(40, 0.01), paced=True).start()
    got = []
    t0 = time.monotonic()
    while True:
        c = g.take(timeout=0.5)
        if c is None:
            break
        got.append(c.frame.index)
        time.sleep(0.035)  # a consumer slower than the 100 fps source
    elapsed = time.monotonic() - t0
    g.stop()
    assert g.ended and g.stop_reason is None
    assert elapsed >= 0.39 - 0.02  # 40 frames 10 ms apart are not released faster than real time
    assert got == sorted(got) and got[-1] == 39  # newest first, the last frame is never lost
    assert g.dropped == 40 - len(got) and g.dropped > 10


def test_pause_holds_the_paced_clock():
    g = FrameGrabber(frames(30, 0.01), paced=True)
    g.pause()
    g.start()
    assert g.take(timeout=0.2) is None and not g.ended  # paused before the first frame
    g.resume()
    while g.take(timeout=0.5) is not None:
        pass
    g.stop()
    assert g.ended and g.captured == 30


def test_a_failing_source_ends_the_stream_with_a_reason():
    g = FrameGrabber(frames(100, 0.0, fail_at=5), paced=False).start()
    while g.take(timeout=0.5) is not None:
        pass
    assert g.ended and "device unplugged" in (g.stop_reason or "")
    assert g.captured == 5


def test_stop_ends_the_thread_quickly():
    g = FrameGrabber(frames(1000, 0.05), paced=True).start()
    assert g.take(timeout=0.5) is not None
    t0 = time.monotonic()
    g.stop()
    assert time.monotonic() - t0 < 1.0
    assert not any(t.name == "formcheck-capture" and t.is_alive() for t in threading.enumerate())


# --- sound ------------------------------------------------------------------------------------

def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float), w.getframerate()


def test_tone_has_the_asked_pitch_and_length():
    pcm, rate = read_wav(tone_wav((660.0,), 0.2))
    assert len(pcm) == int(0.2 * rate)
    spectrum = np.abs(np.fft.rfft(pcm))
    peak_hz = np.argmax(spectrum) * rate / len(pcm)
    assert abs(peak_hz - 660.0) < 10.0
    assert abs(pcm[0]) < 500 and np.abs(pcm).max() > 10000  # faded in, then loud


def test_three_note_tone_rises():
    pcm, rate = read_wav(tone_wav((523.0, 659.0, 784.0), 0.1))
    n = len(pcm) // 3
    peaks = [np.argmax(np.abs(np.fft.rfft(pcm[i * n:(i + 1) * n]))) * rate / n for i in range(3)]
    assert peaks[0] < peaks[1] < peaks[2]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed (apt-get install espeak-ng)")
def test_spoken_cue_is_real_speech():
    pcm, rate = read_wav(speech_wav("Tuck your pelvis"))
    assert len(pcm) / rate > 0.5 and np.abs(pcm).max() > 1000


def test_voice_without_espeak_says_so_and_keeps_tones(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    out = SoundOut(tones=True, voice=True)
    assert any("espeak-ng" in n and "tones still play" in n for n in out.notes)
    assert any("no audio player" in n for n in out.notes)
    assert not out.available
    out.say("anything")  # nothing to play with: returns without raising
    out.event("hold_started")


# --- the live session's video -----------------------------------------------------------------

def test_live_video_repeats_frames_to_keep_real_speed(tmp_path):
    import cv2

    from formcheck.media.video_out import ConstantRateVideo

    track = ConstantRateVideo(tmp_path / "v.mp4", 10.0, (64, 48))
    for t, shade in ((0.0, 0), (0.1, 80), (0.5, 160), (0.55, 240)):  # 0.1-0.5 s: frames were dropped
        track.add(t, np.full((48, 64, 3), shade, np.uint8))
    track.close()
    cap = cv2.VideoCapture(str(tmp_path / "v.mp4"))
    shades = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        shades.append(int(round(img.mean() / 80)))
    cap.release()
    # one frame per 0.1 s: 0 at 0.0, 80 repeated through 0.4, 160 at 0.5, and the last frame once
    assert shades == [0, 1, 1, 1, 1, 2, 3]

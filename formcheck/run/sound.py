"""Sound for the live mode: short tones for hold events and, optionally, spoken cues (offline espeak-ng).

Audio is generated here (tones with numpy, speech by the ``espeak-ng`` program) as WAV bytes and
played by the first audio player found (``aplay``, ``paplay`` or ``pw-play``) in the background,
so the live loop never waits for sound. No player, or a machine without a sound device, only
costs a one-line note: the session carries on silently.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Callable

import numpy as np

SAMPLE_RATE = 22050  # Hz

# Event -> (frequencies in Hz played one after the other, seconds per note)
TONES: dict[str, tuple[tuple[float, ...], float]] = {
    "hold_started": ((660.0,), 0.15),
    "hold_broken": ((440.0, 330.0), 0.15),
    "target_reached": ((523.0, 659.0, 784.0), 0.12),
}
PLAYERS = (("aplay", "-q", "-"), ("paplay",), ("pw-play", "-"))
SPEAK_MIN_GAP_S = 2.5  # do not start a new sentence sooner than this after the last one began
SPEAK_REPEAT_S = 8.0   # the same cue is spoken again only after this long


def tone_wav(freqs: tuple[float, ...], note_s: float, rate: int = SAMPLE_RATE, volume: float = 0.4) -> bytes:
    """A mono 16-bit WAV of sine notes at ``freqs`` (Hz), each ``note_s`` seconds, with 10 ms fades."""
    n = int(rate * note_s)
    t = np.arange(n) / rate
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    notes = [np.sin(2 * np.pi * f * t) * fade for f in freqs]
    pcm = (np.concatenate(notes) * volume * 32767).astype("<i2")
    return _wav_bytes(pcm, rate)


def _wav_bytes(pcm: np.ndarray, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def find_espeak() -> str | None:
    """Path of the espeak-ng (or older espeak) program, or None when neither is installed."""
    return shutil.which("espeak-ng") or shutil.which("espeak")


def speech_wav(text: str, espeak: str | None = None, words_per_minute: int = 165) -> bytes:
    """``text`` spoken by espeak-ng, as WAV bytes. Raises FileNotFoundError when espeak-ng is missing."""
    exe = espeak or find_espeak()
    if exe is None:
        raise FileNotFoundError("espeak-ng")
    done = subprocess.run([exe, "-s", str(words_per_minute), "--stdout", text], capture_output=True, timeout=20,
                          check=False)
    if done.returncode != 0 or not done.stdout:
        raise OSError(done.stderr.decode(errors="replace").strip() or f"espeak-ng exited with {done.returncode}")
    return done.stdout


class SoundOut:
    """Plays tones for events and (with ``voice``) speaks cues, without blocking the caller.

    ``notes`` collects one-line messages about what could not be played, for the user and the report.
    """

    def __init__(self, tones: bool = True, voice: bool = False) -> None:
        self.notes: list[str] = []
        self._player = next((p for p in PLAYERS if shutil.which(p[0])), None)
        self._tones = tones
        self._voice = voice
        self._espeak = find_espeak()
        self._busy = threading.Lock()
        self._last_spoken = -1e9
        self._last_text = ""
        self._failed = False
        if (tones or voice) and self._player is None:
            self.notes.append("no audio player found (aplay, paplay or pw-play): sound is off — install alsa-utils")
        if voice and self._espeak is None:
            self.notes.append("spoken cues need espeak-ng, which is not installed (apt-get install espeak-ng); "
                              "tones still play")
            self._voice = False

    @property
    def available(self) -> bool:
        """True while a player exists and has not failed."""
        return self._player is not None and not self._failed

    def event(self, name: str) -> None:
        """Play the tone for a hold event (see :data:`TONES`); unknown names are ignored."""
        if self._tones and name in TONES and self.available:
            freqs, note_s = TONES[name]
            self._play_async(lambda: tone_wav(freqs, note_s))

    def say(self, text: str) -> None:
        """Speak ``text`` if voice is on and nothing is playing: a new cue once the last sentence is
        ``SPEAK_MIN_GAP_S`` old, the same cue again only after ``SPEAK_REPEAT_S``."""
        now = time.monotonic()
        if not (self._voice and text and self.available) or self._busy.locked():
            return
        wait = SPEAK_REPEAT_S if text == self._last_text else SPEAK_MIN_GAP_S
        if now - self._last_spoken < wait:
            return
        self._last_spoken, self._last_text = now, text
        self._play_async(lambda: speech_wav(text, self._espeak))

    def _play_async(self, make_wav: Callable[[], bytes]) -> None:
        threading.Thread(target=self._play, args=(make_wav,), daemon=True, name="formcheck-sound").start()

    def _play(self, make_wav: Callable[[], bytes]) -> None:
        if not self._busy.acquire(blocking=False):
            return  # one sound at a time; a tone during speech is skipped rather than queued late
        try:
            assert self._player is not None  # _play_async is only called while `available`
            data = make_wav()
            done = subprocess.run(list(self._player), input=data, capture_output=True, timeout=30, check=False)
            if done.returncode != 0 and not self._failed:
                self._failed = True
                msg = done.stderr.decode(errors="replace").strip().splitlines()
                self.notes.append(f"sound could not be played ({msg[0] if msg else 'no sound device'}); "
                                  "continuing without sound")
        except (OSError, subprocess.SubprocessError) as e:
            if not self._failed:
                self._failed = True
                self.notes.append(f"sound could not be played ({e}); continuing without sound")
        finally:
            self._busy.release()

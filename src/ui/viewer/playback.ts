/** Playback over frames 0..count−1 as a pure reducer: seek, play/pause, speed, and the timer's tick. */
export interface Playback {
  frame: number;
  count: number;
  playing: boolean;
  /** Frames per second while playing. */
  fps: number;
}

export const SPEEDS = [1, 2, 4, 8, 16, 32] as const;

export type PlaybackAction =
  | { type: 'seek'; frame: number }
  | { type: 'toggle' }
  | { type: 'pause' }
  | { type: 'tick' }
  | { type: 'speed'; fps: number }
  /** A new trace arrived: keep the speed, start at `frame` (default the last frame, the final answer). */
  | { type: 'load'; count: number; frame?: number; play?: boolean }
  /**
   * More frames of the same trace arrived (it streams while the model runs). A view at the old last frame moves
   * on: playing on with `play`, else to the new last frame; elsewhere it stays where it is.
   */
  | { type: 'grow'; count: number; play?: boolean };

/** Seconds a first autoplay takes at most, so a newcomer sees the whole refinement at once. */
const AUTOPLAY_SECONDS = 4;

/** The slowest speed that plays `count` frames within AUTOPLAY_SECONDS (the fastest speed for longer traces). */
export function autoplayFps(count: number): number {
  return SPEEDS.find((s) => count / s <= AUTOPLAY_SECONDS) ?? SPEEDS[SPEEDS.length - 1];
}

export function initialPlayback(count: number, fps = 4): Playback {
  return { frame: Math.max(0, count - 1), count, playing: false, fps };
}

const clamp = (p: Playback, f: number) => Math.max(0, Math.min(p.count - 1, Math.round(f)));

export function playbackReducer(p: Playback, a: PlaybackAction): Playback {
  switch (a.type) {
    case 'seek':
      return p.count ? { ...p, frame: clamp(p, a.frame), playing: false } : p;
    case 'toggle':
      if (p.playing) return { ...p, playing: false };
      if (p.count < 2) return p;
      // Play from the start when at the end, so "play" always shows a refinement.
      return { ...p, playing: true, frame: p.frame >= p.count - 1 ? 0 : p.frame };
    case 'pause':
      return p.playing ? { ...p, playing: false } : p;
    case 'tick': {
      if (!p.playing) return p;
      const frame = p.frame + 1;
      return frame >= p.count - 1 ? { ...p, frame: p.count - 1, playing: false } : { ...p, frame };
    }
    case 'speed':
      return a.fps > 0 ? { ...p, fps: a.fps } : p;
    case 'load': {
      const next = { ...p, count: a.count, playing: false };
      const frame = clamp(next, a.frame ?? a.count - 1);
      return { ...next, frame, playing: !!a.play && a.count > 1 && frame < a.count - 1 };
    }
    case 'grow':
      if (a.count <= p.count) return p;
      if (p.frame < p.count - 1) return { ...p, count: a.count };
      return a.play ? { ...p, count: a.count, playing: true } : { ...p, count: a.count, frame: a.count - 1 };
  }
}

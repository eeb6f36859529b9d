/**
 * The encode ladder: which renditions a source gets and at what bitrates.
 *
 * Bitrates follow PeerTube's bits-per-pixel rule (packages/core-utils/src/videos/bitrate.ts):
 * `target = average bpp × width × height × fps` and `peak = maximum bpp × width × height × fps`,
 * both capped at 1.3 × the source's own bitrate when it is known (re-encoding a small file at a
 * higher bitrate only wastes bytes) and never below the minimum bpp (0.02). At 30 fps, 16:9 that
 * is ≈ 6.2 / 3.0 / 1.5 Mbit/s for 1080p / 720p / 480p — close to Apple's HLS authoring ladder
 * (6000 / 3000 kbit/s). Every rung's peak/average ratio is below 2 (1.70, 1.73, 1.83), so the
 * VOD rule "peak ≤ 2 × average" holds by construction; `-bufsize` is twice the peak.
 *
 * Rungs are never upscaled: a rung is planned only when its size is at most the source's short
 * side (landscape: the height; portrait: the width — PeerTube scales portrait with `w=res:h=-2`).
 * A source whose short side is below the lowest rung gets one rendition at its own size
 * (rounded down to even). Frame rate: the top rung keeps the source's rate capped at 60; lower
 * rungs run at ≤ 30 (50 → 25, 60 → 30). Audio: AAC stereo 128 kbit/s, none when the source has
 * none.
 */

export interface LadderRung {
  /** The short side this rung scales to (the `p` of `720p`). */
  size: number;
  /** Average bits per pixel (PeerTube). */
  averageBpp: number;
  /** Maximum bits per pixel (PeerTube). */
  maxBpp: number;
}

/** The table, highest first. */
export const LADDER: readonly LadderRung[] = [
  { size: 1080, averageBpp: 0.1, maxBpp: 0.17 },
  { size: 720, averageBpp: 0.11, maxBpp: 0.19 },
  { size: 480, averageBpp: 0.12, maxBpp: 0.22 },
];

/** The bpp of a source below the lowest rung (PeerTube's 360p/240p/144p values, interpolated). */
const SMALL = { averageBpp: 0.15, maxBpp: 0.26 };
export const MIN_BPP = 0.02;
export const MAX_FPS = 60;
export const LOWER_RUNG_MAX_FPS = 30;
export const AUDIO_KBPS = 128;
/** How far above the source's own bitrate a rendition may go. */
export const SOURCE_BITRATE_CAP = 1.3;

/** What the planner needs to know of the source (ffprobe's reading, rotation applied). */
export interface SourceInfo {
  width: number;
  height: number;
  fps: number;
  hasAudio: boolean;
  /** The source's overall bitrate, kbit/s, when known (size × 8 / duration). */
  bitrateKbps?: number;
}

/** One planned rendition (a `streaming.renditions` row before it is encoded). */
export interface PlannedRendition {
  name: string;
  width: number;
  height: number;
  fps: number;
  videoKbps: number;
  maxKbps: number;
  audioKbps: number | null;
}

const even = (n: number) => Math.max(2, 2 * Math.floor(n / 2));
const evenRound = (n: number) => Math.max(2, 2 * Math.round(n / 2));
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** The top rung's rate: the source's, capped at 60 (and a sane 24 when ffprobe had none). */
export function topFps(sourceFps: number): number {
  if (!Number.isFinite(sourceFps) || sourceFps <= 0) return 24;
  return round3(Math.min(sourceFps, MAX_FPS));
}

/** A lower rung's rate: ≤ 30, halving 50/60 to 25/30 rather than dropping odd frames. */
export function lowerFps(sourceFps: number): number {
  const top = topFps(sourceFps);
  return top > LOWER_RUNG_MAX_FPS ? round3(top / 2) : top;
}

function bitrates(
  width: number,
  height: number,
  fps: number,
  bpp: { averageBpp: number; maxBpp: number },
  sourceKbps: number | undefined,
): { videoKbps: number; maxKbps: number } {
  const pixels = width * height * fps;
  const floor = (MIN_BPP * pixels) / 1000;
  const cap = sourceKbps && sourceKbps > 0 ? sourceKbps * SOURCE_BITRATE_CAP : Infinity;
  const clamp = (kbps: number) => Math.round(Math.max(floor, Math.min(kbps, cap)));
  const videoKbps = Math.max(1, clamp((bpp.averageBpp * pixels) / 1000));
  // Capping can only lower both; the ratio stays ≤ maxBpp/averageBpp < 2.
  const maxKbps = Math.max(videoKbps, clamp((bpp.maxBpp * pixels) / 1000));
  return { videoKbps, maxKbps: Math.min(maxKbps, 2 * videoKbps) };
}

/** Scales the source so its short side is `size`, keeping the aspect ratio (even dimensions). */
function scaled(source: SourceInfo, size: number): { width: number; height: number } {
  const portrait = source.height > source.width;
  if (portrait) return { width: size, height: evenRound((source.height * size) / source.width) };
  return { width: evenRound((source.width * size) / source.height), height: size };
}

/** The renditions a source gets, highest first (never empty for a source with a picture). */
export function planLadder(source: SourceInfo): PlannedRendition[] {
  const shortSide = Math.min(source.width, source.height);
  const audioKbps = source.hasAudio ? AUDIO_KBPS : null;
  const rungs = LADDER.filter((r) => r.size <= shortSide);
  if (rungs.length === 0) {
    const size = even(shortSide);
    const { width, height } = scaled(source, size);
    const fps = topFps(source.fps);
    return [
      {
        name: `${size}p`,
        width,
        height,
        fps,
        ...bitrates(width, height, fps, SMALL, source.bitrateKbps),
        audioKbps,
      },
    ];
  }
  return rungs.map((rung, i) => {
    const { width, height } = scaled(source, rung.size);
    const fps = i === 0 ? topFps(source.fps) : lowerFps(source.fps);
    return {
      name: `${rung.size}p`,
      width,
      height,
      fps,
      ...bitrates(width, height, fps, rung, source.bitrateKbps),
      audioKbps,
    };
  });
}

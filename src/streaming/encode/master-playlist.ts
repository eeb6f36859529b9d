import type { RenditionRow } from '../content/video.entity.js';

/**
 * The HLS master playlist over the encoded renditions, highest first: per variant BANDWIDTH
 * (peak segment bitrate), AVERAGE-BANDWIDTH, RESOLUTION, CODECS and FRAME-RATE, measured from
 * the files (RenditionOutput.measure). Variant URIs are relative (`720p/index.m3u8`), so the
 * playlist works under any base URL the playback routes serve it from.
 */
export function masterPlaylist(
  renditions: Pick<
    RenditionRow,
    'name' | 'width' | 'height' | 'fps' | 'bandwidth' | 'average_bandwidth' | 'codecs'
  >[],
): string {
  const sorted = [...renditions].sort(
    (a, b) => b.width * b.height - a.width * a.height || (b.bandwidth ?? 0) - (a.bandwidth ?? 0),
  );
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const r of sorted) {
    if (!r.bandwidth || !r.average_bandwidth || !r.codecs)
      throw new Error(`rendition ${r.name} has no measurements`);
    const attributes = [
      `BANDWIDTH=${r.bandwidth}`,
      `AVERAGE-BANDWIDTH=${r.average_bandwidth}`,
      `RESOLUTION=${r.width}x${r.height}`,
      `CODECS="${r.codecs}"`,
      `FRAME-RATE=${r.fps.toFixed(3)}`,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, `${r.name}/index.m3u8`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Where a video's objects live in the platform storage. Everything a player fetches sits under
 * one prefix per video (`streaming/videos/{id}/hls/`), which the playback token is scoped to and
 * which `/v1/streaming/media/{id}/…` serves.
 */
export const videoKeys = {
  prefix: (videoId: string) => `streaming/videos/${videoId}`,
  source: (videoId: string) => `streaming/videos/${videoId}/source`,
  hls: (videoId: string) => `streaming/videos/${videoId}/hls`,
  master: (videoId: string) => `streaming/videos/${videoId}/hls/master.m3u8`,
  rendition: (videoId: string, name: string) => `streaming/videos/${videoId}/hls/${name}`,
  playlist: (videoId: string, name: string) => `streaming/videos/${videoId}/hls/${name}/index.m3u8`,
  poster: (videoId: string) => `streaming/videos/${videoId}/hls/poster.jpg`,
  storyboard: (videoId: string) => `streaming/videos/${videoId}/hls/storyboard.jpg`,
};

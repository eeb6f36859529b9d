import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The player page's script: attaches hls.js (no worker: the page's CSP allows `blob:` media,
 * not workers) to the `<video>`, or hands the URL to the browser when it plays HLS itself
 * (Safari), and writes what went wrong into the page's status line.
 */
const PLAYER_JS = `(function () {
  var video = document.getElementById('player');
  var status = document.getElementById('status');
  var src = video.getAttribute('data-src');
  function say(text) { status.textContent = text; }
  function play() {
    var p = video.play();
    if (p && p.catch) p.catch(function (err) { say('Press play (' + err.name + ')'); });
  }
  if (window.Hls && window.Hls.isSupported()) {
    var hls = new window.Hls({ enableWorker: false });
    hls.on(window.Hls.Events.MANIFEST_PARSED, play);
    hls.on(window.Hls.Events.ERROR, function (_e, data) {
      if (data.fatal) say('Playback error: ' + data.details);
    });
    hls.loadSource(src);
    hls.attachMedia(video);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = src;
    video.addEventListener('loadedmetadata', play);
  } else {
    say('This browser cannot play HLS.');
  }
  video.addEventListener('playing', function () { say(''); });
})();
`;

export interface PlayerAsset {
  name: string;
  body: Buffer;
  etag: string;
}

function asset(stem: string, ext: string, body: Buffer): PlayerAsset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { name: `${stem}-${hash}.${ext}`, body, etag: `"${hash}"` };
}

/**
 * The player page's two scripts, served from this app (`/v1/streaming/player/{asset}`): hls.js
 * from `node_modules/hls.js/dist/hls.min.js` and the page's own script. Their names carry a
 * hash of their bytes, so they are cached for a year and a new version is a new URL.
 */
@Injectable()
export class PlayerAssets {
  readonly hls = asset('hls', 'min.js', readFileSync(require.resolve('hls.js/dist/hls.min.js')));
  readonly player = asset('player', 'js', Buffer.from(PLAYER_JS));

  find(name: string): PlayerAsset | undefined {
    return [this.hls, this.player].find((a) => a.name === name);
  }
}

export const PLAYER_ASSET_PATTERN = '^(hls|player)-[0-9a-f]{12}\\.(min\\.)?js$';

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The page: a muted, autoplaying `<video>` whose `data-src` is the master playlist. */
export function playerPage(
  assets: PlayerAssets,
  title: string,
  masterUrl: string,
  posterUrl: string,
): string {
  const base = '/v1/streaming/player';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { margin: 0; background: #111; color: #eee; font: 15px system-ui, sans-serif; }
  main { max-width: 960px; margin: 0 auto; padding: 16px; }
  video { width: 100%; background: #000; aspect-ratio: 16 / 9; }
  #status { min-height: 1.4em; color: #f88; }
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<video id="player" controls muted autoplay playsinline preload="auto" poster="${escapeHtml(posterUrl)}" data-src="${escapeHtml(masterUrl)}"></video>
<p id="status"></p>
</main>
<script src="${base}/${assets.hls.name}"></script>
<script src="${base}/${assets.player.name}"></script>
</body>
</html>
`;
}

/**
 * The page's own CSP (the API's allows no `blob:`): hls.js feeds the `<video>` through a
 * MediaSource, whose URL is `blob:`. Scripts only from this origin, no inline script.
 */
export const PLAYER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
].join('; ');

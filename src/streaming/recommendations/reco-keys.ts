/**
 * The recommendation features in Redis (the seed's feature store), every key under `streaming:`
 * through ContextRedis:
 *
 * - `reco:history:{viewerId}` — ZSET video → when it was last viewed (ms), the viewer's last
 *   `STREAMING_RECO_HISTORY` views (expires 30 days after the last one). It is both the
 *   co-visitation window (the members within 24 h of a new view) and the seeds of their
 *   personalised recommendations.
 * - `reco:count` — HASH video → `c_i`: viewer sessions that contain the video (see below).
 * - `reco:nb:{videoId}` — ZSET neighbour → `c_ij`: viewer sessions that contain both; capped
 *   to the `NEIGHBOUR_CAP` largest counts.
 * - `reco:dirty` — SET of videos whose counts moved since their top-K was computed.
 * - `reco:top:{videoId}` — JSON `[[neighbour, r, c_ij], …]`, the top K by
 *   `r = c_ij / (c_i · c_j)` with `c_ij ≥ STREAMING_COVISIT_MIN_COUNT`, best first. Recomputed
 *   on read when the video is dirty or the key expired (`TOP_TTL_SECONDS`: a neighbour's `c_j`
 *   moving, which does not dirty this video, is seen within that time).
 * - `reco:finished:{viewerId}` — ZSET video → when the viewer finished it (WatchCompleted).
 *
 * **Counting.** A viewer's *session* of a video starts with a view that is not within the window
 * (24 h) of their previous view of it. A new session of `i` adds 1 to `c_i` and, for every other
 * video `j` in the viewer's history within the window, 1 to `c_ij` and `c_ji`. A view inside an
 * open session only refreshes its time. So `c_i` counts viewer-sessions, not distinct viewers
 * ever: a viewer who comes back to a video a week later counts again (as YouTube's co-visitation
 * counts sessions), and `c_ij ≤ c_i + c_j` always holds. A HyperLogLog of viewers would count
 * distinct viewers, but the pairs would then need a per-viewer set of every pair ever counted to
 * stay consistent with it — memory quadratic in a viewer's history — for no better ranking.
 *
 * **Idempotent.** The same view delivered twice (the inbox gives events once, but a consumer's
 * Redis write happens before its transaction commits, so a failed commit repeats it) finds its
 * video in the history at the same time: it is inside the open session and counts nothing. One
 * view's update is one Lua script, so a crash never leaves half of it.
 */
export const historyKey = (viewerId: string) => `reco:history:${viewerId}`;
export const finishedKey = (viewerId: string) => `reco:finished:${viewerId}`;
export const COUNT_KEY = 'reco:count';
export const DIRTY_KEY = 'reco:dirty';
/** The neighbour sets' common prefix: scripts get it as a KEY (so ioredis prefixes it). */
export const NEIGHBOURS_BASE = 'reco:nb:';
export const neighboursKey = (videoId: string) => `${NEIGHBOURS_BASE}${videoId}`;
export const topKey = (videoId: string) => `reco:top:${videoId}`;

/** Neighbour counts kept per video (the largest): candidates for its top K. */
export const NEIGHBOUR_CAP = 500;
/** How long a computed top-K is trusted before it is recomputed anyway. */
export const TOP_TTL_SECONDS = 600;
/** A viewer's history and finished set live this long after their last write. */
export const VIEWER_TTL_SECONDS = 30 * 86_400;
/** Finished videos remembered per viewer. */
export const FINISHED_CAP = 1000;

/**
 * One counted view. KEYS: history, count, dirty, neighbours base.
 * ARGV: video, at (ms), window (ms), history cap, neighbour cap, viewer TTL (s).
 * Returns the number of pairs counted, or -1 when the view was inside an open session (a
 * repeat, or a delivery of the same view again): nothing counted.
 */
export const RECORD_VIEW_SCRIPT = `
local video = ARGV[1]
local at = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local historyCap = tonumber(ARGV[4])
local neighbourCap = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local function cap(key, n)
  local size = redis.call('ZCARD', key)
  if size > n then redis.call('ZREMRANGEBYRANK', key, 0, size - n - 1) end
end
local prev = redis.call('ZSCORE', KEYS[1], video)
if prev and tonumber(prev) >= at - window then
  if tonumber(prev) < at then redis.call('ZADD', KEYS[1], at, video) end
  redis.call('EXPIRE', KEYS[1], ttl)
  return -1
end
local others = redis.call('ZRANGEBYSCORE', KEYS[1], at - window, at + window)
redis.call('HINCRBY', KEYS[2], video, 1)
redis.call('SADD', KEYS[3], video)
local counted = 0
for _, other in ipairs(others) do
  if other ~= video then
    redis.call('ZINCRBY', KEYS[4] .. video, 1, other)
    redis.call('ZINCRBY', KEYS[4] .. other, 1, video)
    cap(KEYS[4] .. other, neighbourCap)
    redis.call('SADD', KEYS[3], other)
    counted = counted + 1
  end
end
cap(KEYS[4] .. video, neighbourCap)
redis.call('ZADD', KEYS[1], at, video)
cap(KEYS[1], historyCap)
redis.call('EXPIRE', KEYS[1], ttl)
return counted
`;

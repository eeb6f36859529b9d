/**
 * The feed's Redis layout (every key under `social:` through ContextRedis):
 *
 * - `feed:{userId}` — the pushed feed, a sorted set of post ids (score = the id's UUID v7
 *   milliseconds; equal scores order by member, which for UUID v7 is id order), capped.
 * - `author:{userId}` — the author's own recent feed items (top-level posts and shares), capped:
 *   what readers merge in for the celebrities they follow.
 * - `feed-horizon:{userId}` / `author-horizon:{userId}` — the set's **horizon**: the set holds
 *   every item with an id ≥ the horizon (`''`: every item there is). A missing horizon means the
 *   set was never built (or Redis lost it): it is rebuilt from PostgreSQL before it is read, and
 *   writers leave it alone. An empty set with a horizon is an empty feed, not a missing one.
 * - `tier-exits` — authors who left the celebrity tier (score = when, ms): readers keep merging
 *   their author sets for a while, until the backfill into followers' feeds has surely run.
 */
export const feedKey = (userId: string) => `feed:${userId}`;
export const feedHorizonKey = (userId: string) => `feed-horizon:${userId}`;
export const authorKey = (userId: string) => `author:${userId}`;
export const authorHorizonKey = (userId: string) => `author-horizon:${userId}`;
export const TIER_EXITS_KEY = 'tier-exits';

/** A set and its horizon. */
export interface CappedSet {
  key: string;
  horizonKey: string;
}
export const feedSet = (userId: string): CappedSet => ({
  key: feedKey(userId),
  horizonKey: feedHorizonKey(userId),
});
export const authorSet = (userId: string): CappedSet => ({
  key: authorKey(userId),
  horizonKey: authorHorizonKey(userId),
});

/** The UUID v7's milliseconds (its first 48 bits): the sorted-set score. */
export function idScore(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

/** Byte order of two ids (Lua's `<` follows the locale's collation; this never does). */
const OLDER = `
local function older(a, b)
  if a == b then return false end
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end`;

/**
 * Adds ids to a built set and trims it to a cap, raising the horizon to what the trim keeps.
 * KEYS: set, horizon. ARGV: cap, raiseTo ('' = no), then score/member pairs.
 * Returns the number of members added. A set not built yet (no horizon) takes them too, without
 * a horizon: a rebuild running at the same moment keeps them (REPLACE_SCRIPT deletes nothing
 * newer than what it rebuilt), so a post pushed during a rebuild is never lost.
 * Ids older than the horizon are not added (the set does not speak for them).
 */
export const ADD_SCRIPT = `${OLDER}
local h = redis.call('GET', KEYS[2])
local cap = tonumber(ARGV[1])
local added = 0
for i = 3, #ARGV, 2 do
  local member = ARGV[i + 1]
  if not h or not older(member, h) then
    added = added + redis.call('ZADD', KEYS[1], ARGV[i], member)
  end
end
local n = redis.call('ZCARD', KEYS[1])
if not h then
  if n > cap then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1) end
  return added
end
if ARGV[2] ~= '' and older(h, ARGV[2]) then h = ARGV[2]; redis.call('SET', KEYS[2], h) end
if n > cap then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1)
  local m = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if m and older(h, m) then redis.call('SET', KEYS[2], m) end
end
return added`;

/**
 * Installs a rebuilt set. KEYS: set, horizon. ARGV: horizon ('' = complete), its score, cap,
 * then score/member pairs. Members older than the new horizon go (the rebuild speaks for them);
 * newer ones stay — a fan-out push or a merge that ran while the rebuild read PostgreSQL is kept
 * (reads filter what is no longer eligible). Trimmed to the cap like an add.
 */
export const REPLACE_SCRIPT = `${OLDER}
local h = ARGV[1]
if h ~= '' then
  local below = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
  for _, m in ipairs(below) do
    if older(m, h) then redis.call('ZREM', KEYS[1], m) end
  end
end
for i = 4, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
local cap = tonumber(ARGV[3])
local n = redis.call('ZCARD', KEYS[1])
if n > cap then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1)
  local m = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if m and (h == '' or older(h, m)) then h = m end
end
redis.call('SET', KEYS[2], h)
return 1`;

/**
 * One page of a set, newest first, below an exclusive upper bound. KEYS: set, horizon.
 * ARGV: upper score ('+inf' for none), upper id ('' for none), count.
 * Returns false when the set is not built, else { horizon, id, id, … }.
 */
export const PAGE_SCRIPT = `${OLDER}
local h = redis.call('GET', KEYS[2])
if not h then return false end
local skip = 0
if ARGV[2] ~= '' then
  local same = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
  for _, m in ipairs(same) do
    if not older(m, ARGV[2]) then skip = skip + 1 end
  end
end
local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], '-inf', 'LIMIT', skip, tonumber(ARGV[3]))
table.insert(ids, 1, h)
return ids`;

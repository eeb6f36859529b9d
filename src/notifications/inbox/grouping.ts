/**
 * Bursts of social activity collapse into one inbox item: the unread in-app notifications of
 * one `group_key` created within GROUP_WINDOW_HOURS show as their newest member, with the
 * latest actors and how many there are ("Ann and 12 others liked your post"). Read ones, older
 * ones and those without a group key show one by one, as before.
 */
export const GROUP_WINDOW_HOURS = 24;

/** What the actor did, per event type that groups (mentions never group: each one matters). */
export const GROUP_PHRASES: Readonly<Record<string, string>> = {
  'social.post-liked': 'liked your post',
  'social.post-shared': 'shared your post',
  'social.post-commented': 'commented on your post',
  'social.user-followed': 'followed you',
};

/** "Ann liked…", "Ann and Bob liked…", "Ann and 12 others liked…" (`actors` newest first, distinct). */
export function groupTitle(phrase: string, actors: readonly string[], actorCount: number): string {
  const [first = 'Someone', second] = actors;
  if (actorCount <= 1) return `${first} ${phrase}`;
  if (actorCount === 2 && second) return `${first} and ${second} ${phrase}`;
  return `${first} and ${actorCount - 1} others ${phrase}`;
}

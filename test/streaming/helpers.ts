import type { TestApp, TestUser } from '@app/testing';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { multipartBody } from '../../libs/testing/media-uploads.js';
import { videoFixture, type FixtureKind } from '../../libs/testing/video-fixtures.js';

/** Test helpers for the streaming context: create, upload and poll videos through the API. */

export interface RenditionView {
  name: string;
  width: number;
  height: number;
  state: string;
  percent: number;
  attempts: number;
  error: string | null;
}

export interface VideoView {
  id: string;
  channelId: string;
  title: string;
  description: string;
  tags: string[];
  visibility: string;
  state: string;
  failureReason: string | null;
  durationMs: number | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  hasAudio: boolean | null;
  sourceBytes: number | null;
  views: number;
  renditions: RenditionView[];
  timeline: { state: string; detail: string | null; at: string }[];
  upload?: { multipartUrl: string; tusUrl: string };
  createdAt: string;
  updatedAt: string;
}

export interface CreateVideoBody {
  title?: string;
  description?: string;
  tags?: string[];
  visibility?: 'public' | 'unlisted' | 'private' | 'subscribers';
}

type Caller = Pick<TestUser, 'accessToken'>;

/** `POST /v1/streaming/videos` → the VideoView (state UPLOADING). Throws unless 201. */
export async function createVideo(
  t: TestApp,
  user: Caller,
  body: CreateVideoBody = {},
): Promise<VideoView> {
  const res = await t.post(
    '/v1/streaming/videos',
    { title: 'A test video', ...body },
    { token: user.accessToken },
  );
  if (res.statusCode !== 201) throw new Error(`create video: ${res.statusCode} ${res.body}`);
  return res.json() as VideoView;
}

/** `POST /v1/streaming/videos/{id}/source` with the file at `path`; the raw response. */
export function uploadSourceRaw(t: TestApp, user: Caller, videoId: string, path: string) {
  const { payload, contentType } = multipartBody([
    {
      name: 'file',
      data: readFileSync(path),
      filename: basename(path),
      contentType: 'application/octet-stream',
    },
  ]);
  return t.app.inject({
    method: 'POST',
    url: `/v1/streaming/videos/${videoId}/source`,
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': contentType },
    payload,
  });
}

/** Uploads the file at `path` as the video's source → the VideoView (UPLOADED). Throws unless 200. */
export async function uploadSource(
  t: TestApp,
  user: Caller,
  videoId: string,
  path: string,
): Promise<VideoView> {
  const res = await uploadSourceRaw(t, user, videoId, path);
  if (res.statusCode !== 200) throw new Error(`upload source: ${res.statusCode} ${res.body}`);
  return res.json() as VideoView;
}

/** Creates a video and uploads a fixture of `kind` as its source → the VideoView (UPLOADED). */
export async function uploadVideo(
  t: TestApp,
  user: Caller,
  kind: FixtureKind,
  body: CreateVideoBody = {},
): Promise<VideoView> {
  const video = await createVideo(t, user, body);
  return uploadSource(t, user, video.id, await videoFixture(kind));
}

/** `GET /v1/streaming/videos/{id}` → the VideoView. Throws unless 200. */
export async function getVideo(
  t: TestApp,
  user: Caller | undefined,
  id: string,
): Promise<VideoView> {
  const res = await t.get(`/v1/streaming/videos/${id}`, { token: user?.accessToken });
  if (res.statusCode !== 200) throw new Error(`get video: ${res.statusCode} ${res.body}`);
  return res.json() as VideoView;
}

/**
 * Polls `GET /v1/streaming/videos/{id}` until its state is one of `states` → that VideoView.
 * Throws after `timeoutMs` with the last state and timeline seen.
 */
export async function waitForVideo(
  t: TestApp,
  user: Caller,
  id: string,
  states: string[],
  timeoutMs = 60_000,
): Promise<VideoView> {
  const deadline = Date.now() + timeoutMs;
  let last: VideoView | undefined;
  for (;;) {
    last = await getVideo(t, user, id);
    if (states.includes(last.state)) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `video ${id} still ${last.state} after ${timeoutMs} ms (waiting for ${states.join('|')}): ` +
          JSON.stringify({ timeline: last.timeline, renditions: last.renditions }),
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

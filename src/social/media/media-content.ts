import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { SocialError } from '../social.error.js';

/** What `GET /v1/social/media/{id}/content` answers: a status, its headers and maybe bytes. */
export interface MediaContent {
  status: 200 | 206 | 304 | 416;
  headers: Record<string, string>;
  body?: Readable;
}

/** Sends the content (the controller's one line); a 416 becomes its problem+json. */
export function sendMediaContent(reply: FastifyReply, content: MediaContent): FastifyReply {
  void reply.headers(content.headers);
  if (content.status === 416) {
    throw new SocialError(
      'social.media_range_not_satisfiable',
      `The range starts past the end of the file (${content.headers['content-range']}).`,
    );
  }
  return reply.status(content.status).send(content.body);
}

import { randomBytes } from 'node:crypto';
import type { TestApp } from './test-app.js';

/** Uploads to `POST /v1/social/media` as clients send them: multipart forms, built by hand. */

/** A 2×2 PNG. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEklEQVQImWMwTjtjnHaGAUIBACS2BZUFBQd/AAAAAElFTkSuQmCC',
  'base64',
);

/** One part of a `multipart/form-data` body (a file when it has a filename). */
export interface FormPart {
  name: string;
  data: Buffer | string;
  filename?: string;
  contentType?: string;
}

/** A `multipart/form-data` body and its content type. */
export function multipartBody(parts: FormPart[]): { payload: Buffer; contentType: string } {
  const boundary = `----fixture${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const file = p.filename === undefined ? '' : `; filename="${p.filename}"`;
    const type = p.contentType ? `\r\nContent-Type: ${p.contentType}` : '';
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${file}${type}\r\n\r\n`,
      ),
      Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** `POST /v1/social/media` with a multipart form of these parts. */
export function postMediaForm(t: TestApp, token: string, parts: FormPart[]) {
  const { payload, contentType } = multipartBody(parts);
  return t.app.inject({
    method: 'POST',
    url: '/v1/social/media',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    payload,
  });
}

/** `POST /v1/social/media` with one file in `file` (the client's type and name are ignored). */
export function uploadFile(
  t: TestApp,
  token: string,
  data: Buffer,
  contentType = 'application/octet-stream',
  filename = 'upload.bin',
) {
  return postMediaForm(t, token, [{ name: 'file', data, filename, contentType }]);
}

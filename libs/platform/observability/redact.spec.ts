import { redactUrl } from './redact.js';

describe('redactUrl', () => {
  const id = '019a2b3c-4d5e-7f60-8a9b-0c1d2e3f4a5b';
  const token = 'v1.mhx2k3lq.' + 'A'.repeat(43);

  it('drops the query and the signed playback segment, keeping the rest of the path', () => {
    expect(redactUrl(`/v1/streaming/media/${id}/${token}/720p/seg-00001.m4s?x=1`)).toBe(
      `/v1/streaming/media/${id}/[signed]/720p/seg-00001.m4s`,
    );
    expect(redactUrl(`/v1/streaming/media/${id}/${token}`)).toBe(
      `/v1/streaming/media/${id}/[signed]`,
    );
  });

  it('leaves ordinary paths alone (versions, ids, files)', () => {
    for (const path of [`/v1/streaming/videos/${id}`, '/v1/streaming/media/x/public/master.m3u8'])
      expect(redactUrl(path)).toBe(path);
    expect(redactUrl(undefined)).toBeUndefined();
  });
});

import { isDatabaseUnavailable } from './pg-errors.js';

describe('isDatabaseUnavailable', () => {
  it.each([
    ['admin shutdown', { code: '57P01' }],
    ['crash shutdown (TypeORM-wrapped)', { driverError: { code: '57P02' } }],
    ['starting up', { code: '57P03' }],
    ['connection failure', { code: '08006' }],
    ['statement_timeout', { code: '57014' }],
    ['refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['lost', new Error('Connection terminated unexpectedly')],
    ['pool wait', new Error('timeout exceeded when trying to connect')],
    ['query_timeout (no answer at all)', new Error('Query read timeout')],
  ])('%s → unavailable', (_, err) => expect(isDatabaseUnavailable(err)).toBe(true));

  it.each([
    ['unique violation', { code: '23505' }],
    ['serialization failure', { code: '40001' }],
    ['a bug', new TypeError('x is undefined')],
    ['nothing', undefined],
  ])('%s → not unavailable', (_, err) => expect(isDatabaseUnavailable(err)).toBe(false));
});

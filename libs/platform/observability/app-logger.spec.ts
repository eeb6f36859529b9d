import { Logger } from '@nestjs/common';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { AppLogger } from './app-logger.js';

function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: new AppLogger(pino({ level }, stream)) };
}

describe('AppLogger (Nest LoggerService over pino)', () => {
  it("reads Nest's calls: context last, objects as fields, Errors as err, the stack form as err", () => {
    const { lines, logger } = capture();
    logger.log('started', 'Bootstrap');
    logger.warn({ sagaId: 's1', attempt: 2 }, 'Payments');
    logger.error(new Error('boom'), 'Inbox');
    logger.error('handler failed', 'Error: handler failed\n    at run (file.ts:1:1)', 'Exceptions');
    logger.debug('not at info', 'Quiet');
    expect(lines.map(({ level, msg, context }) => ({ level, msg, context }))).toEqual([
      { level: 30, msg: 'started', context: 'Bootstrap' },
      { level: 40, msg: undefined, context: 'Payments' },
      { level: 50, msg: 'boom', context: 'Inbox' },
      { level: 50, msg: 'handler failed', context: 'Exceptions' },
    ]);
    expect(lines[1]).toMatchObject({ sagaId: 's1', attempt: 2 });
    expect(lines[2]!.err).toMatchObject({ type: 'Error', message: 'boom' });
    expect((lines[3]!.err as { stack: string }).stack).toContain('at run (file.ts:1:1)');
  });

  it('gives each app its own destination and level, also through Nest’s static Logger', () => {
    const a = capture('info');
    const b = capture('warn');
    Logger.overrideLogger(a.logger);
    new Logger('A').log('to a');
    Logger.overrideLogger(b.logger);
    new Logger('B').log('below b’s level');
    new Logger('B').warn('to b');
    a.logger.log('still a');
    expect(a.lines.map((l) => l.msg)).toEqual(['to a', 'still a']);
    expect(b.lines.map((l) => l.msg)).toEqual(['to b']);
    Logger.overrideLogger(false);
  });
});

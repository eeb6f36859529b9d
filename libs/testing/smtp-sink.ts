import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the sink received it (one entry per copy). */
export interface SinkMail {
  /** The local part of the Message-ID: the notification id the app sends it under. */
  messageId: string;
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpSink {
  /** For the app's SMTP_URL. */
  url: string;
  /** Every copy received, in order. */
  readonly mails: SinkMail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback (the app talks SMTP to it through nodemailer) that keeps what
 * it receives. `onMail` may return a promise: the answer to the sender waits for it, as a slow
 * or stalled provider's would.
 */
export async function startSmtpSink(
  onMail?: (mail: SinkMail, index: number) => Promise<unknown> | void,
): Promise<SmtpSink> {
  const mails: SinkMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        const mail: SinkMail = {
          messageId: /^Message-ID:\s*<([^@>]+)@/im.exec(raw)?.[1] ?? '?',
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '?',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        };
        mails.push(mail);
        void Promise.resolve(onMail?.(mail, mails.length - 1)).then(() => callback());
      });
    },
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mails,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';

import nodemailer, { type Transporter } from 'nodemailer';
import { randomUUID } from 'node:crypto';
import { NotificationsConfig } from '../notifications.config.js';

export interface Message {
  /** The notification id: the provider's idempotency key / Message-ID. */
  id: string;
  to: string;
  title: string;
  body: string;
}

/** A delivery channel; returns the provider's reference for the delivery log. */
export interface ChannelAdapter {
  send(message: Message): Promise<string>;
}

/**
 * Email over SMTP with nodemailer (`SMTP_URL`). Without SMTP_URL the message is rendered but not
 * sent — it stays in the delivery log (the notification row) for development.
 */
@Injectable()
export class EmailChannel implements ChannelAdapter, OnApplicationShutdown {
  private readonly transport: Transporter;

  constructor(private readonly config: NotificationsConfig) {
    this.transport = config.SMTP_URL
      ? nodemailer.createTransport(config.SMTP_URL)
      : nodemailer.createTransport({ jsonTransport: true });
  }

  async send(m: Message): Promise<string> {
    const info = await this.transport.sendMail({
      messageId: `<${m.id}@five-businesses.dev>`,
      from: this.config.MAIL_FROM,
      to: m.to,
      subject: m.title,
      text: m.body,
    });
    return String(info.messageId ?? randomUUID());
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}

/** POSTs JSON to a provider, in the shape SMS/push providers share; never logs the message. */
async function postJson(url: string, key: string | undefined, body: object): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key ?? ''}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`provider answered HTTP ${res.status}`);
  const json = (await res.json().catch(() => ({}))) as { sid?: string; name?: string; id?: string };
  return String(json.sid ?? json.name ?? json.id ?? randomUUID());
}

/** How many sandbox SMS the process keeps in memory (the newest). */
const SANDBOX_KEEP = 200;

/**
 * SMS: `sandbox` (default) records the delivery — the last messages stay in `sandboxSent`, in
 * memory only, so development and tests can read what a phone would have received (e.g. a
 * verification code); `twilio` posts to a Twilio-shaped API.
 */
@Injectable()
export class SmsChannel implements ChannelAdapter {
  private readonly logger = new Logger(SmsChannel.name);
  readonly sandboxSent: Message[] = [];
  constructor(private readonly config: NotificationsConfig) {}

  async send(m: Message): Promise<string> {
    if (this.config.SMS_PROVIDER === 'twilio')
      return postJson(this.config.SMS_API_URL!, this.config.SMS_API_KEY, {
        To: m.to,
        Body: `${m.title}: ${m.body}`,
      });
    this.sandboxSent.push(m);
    if (this.sandboxSent.length > SANDBOX_KEEP) this.sandboxSent.shift();
    this.logger.debug('sandbox SMS recorded');
    return `sandbox-sms-${randomUUID()}`;
  }
}

/** Push: `sandbox` (default) records the delivery; `fcm` posts to an FCM-shaped API. */
@Injectable()
export class PushChannel implements ChannelAdapter {
  private readonly logger = new Logger(PushChannel.name);
  constructor(private readonly config: NotificationsConfig) {}

  async send(m: Message): Promise<string> {
    if (this.config.PUSH_PROVIDER === 'fcm') {
      return postJson(this.config.PUSH_API_URL!, this.config.PUSH_API_KEY, {
        message: { token: m.to, notification: { title: m.title, body: m.body } },
      });
    }
    this.logger.debug('sandbox push recorded');
    return `sandbox-push-${randomUUID()}`;
  }
}

import { Injectable } from '@nestjs/common';

/**
 * Who may watch a channel's subscriber-only videos: viewers with an active (or in-grace)
 * subscription to one of the channel's plans or to a platform plan.
 * TODO(subscriptions): answer from the subscriptions tables — until then nobody is entitled.
 */
@Injectable()
export class Entitlements {
  async active(viewerId: string, channelId: string): Promise<boolean> {
    void viewerId;
    void channelId;
    return false;
  }
}

import type { Activity } from 'botbuilder';

/**
 * Where a user is: the channel and the channel's own user id. Stored as a key (`addressKey`) in a
 * PQR's notification address and the outbox; this module is the only one that builds or reads it.
 */
export interface Address {
  channel: string;
  userId: string;
}

export function addressOf(activity: Partial<Pick<Activity, 'channelId' | 'from'>>): Address {
  return { channel: activity.channelId ?? '', userId: activity.from?.id ?? '' };
}

export function addressKey(address: Address): string {
  return `${address.channel}:${address.userId}`;
}

/** The address a chat key of `channel` names; null for a key of another channel (an e-mail address). */
export function parseAddressKey(channel: string, key: string): Address | null {
  const prefix = `${channel}:`;
  return key.startsWith(prefix) && key.length > prefix.length ? { channel, userId: key.slice(prefix.length) } : null;
}

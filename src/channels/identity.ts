import { TurnContext, type Activity, type Attachment } from 'botbuilder';
import { isUniqueViolation, type Db } from '../storage';

/** Where a stored piece of evidence is named in an activity's attachments (not a fetchable URL). */
export const ATTACHMENT_URL_PREFIX = 'urn:pqr-bot:attachment:';

/**
 * The user's channel identity (created on first contact, holding only the channel's own user id)
 * with its conversation reference and the time of the user's last message. Webhooks arrive out
 * of order, so that time only moves forward.
 */
export async function touchIdentity(prisma: Db, channel: string, activity: Partial<Activity>, now: Date, locale?: string): Promise<number> {
  const user = { channel, userId: activity.from!.id };
  const at = activity.timestamp instanceof Date ? activity.timestamp : now;
  const data = { conversationRef: JSON.stringify(TurnContext.getConversationReference(activity)), ...(locale ? { locale } : {}) };
  let identity: { id: number };
  try {
    identity = await prisma.channelIdentity.upsert({ where: { channel_userId: user }, create: { ...user, ...data, lastInboundAt: at }, update: data, select: { id: true } });
  } catch (error) {
    // Another instance created it at the same moment.
    if (!isUniqueViolation(error)) throw error;
    identity = await prisma.channelIdentity.update({ where: { channel_userId: user }, data, select: { id: true } });
  }
  await prisma.channelIdentity.updateMany({
    where: { id: identity.id, OR: [{ lastInboundAt: null }, { lastInboundAt: { lt: at } }] },
    data: { lastInboundAt: at },
  });
  return identity.id;
}

export interface DownloadedFile {
  kind: string;
  mimeType: string;
  fileName?: string;
  bytes: Buffer;
  sha256: string;
}

/**
 * Keeps a file the user sent until the PQR (or recurso) being filed takes it; the same file
 * already waiting is not stored twice. Returns the attachment the bot's turn sees.
 */
export async function keepEvidence(prisma: Db, identityId: number, file: DownloadedFile): Promise<Attachment> {
  const existing = await prisma.attachment.findFirst({ where: { identityId, sha256: file.sha256, pqrId: null }, select: { id: true } });
  const stored =
    existing ??
    (await prisma.attachment.create({
      data: { identityId, kind: file.kind, mimeType: file.mimeType, fileName: file.fileName ?? null, size: file.bytes.length, sha256: file.sha256, data: new Uint8Array(file.bytes) },
      select: { id: true },
    }));
  return {
    contentType: file.mimeType,
    contentUrl: `${ATTACHMENT_URL_PREFIX}${stored.id}`,
    name: file.fileName,
    content: { attachmentId: stored.id, kind: file.kind, size: file.bytes.length, sha256: file.sha256 },
  };
}

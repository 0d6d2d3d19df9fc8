import type { Attachment } from 'botbuilder';
import type { Db } from '../storage';

/** Where a stored piece of evidence is named in an activity's attachments (not a fetchable URL). */
export const ATTACHMENT_URL_PREFIX = 'urn:pqr-bot:attachment:';

/** A file the user sent could not be fetched from the platform: the user was told, the turn fails with this. */
export class MediaUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`media could not be downloaded: ${cause instanceof Error ? cause.message : 'unknown error'}`);
    this.name = 'MediaUnavailableError';
  }
}

/** A file over the limit the channel takes: refused before it is held in memory and in the database. */
export class FileTooLargeError extends Error {
  constructor(size: number, max: number) {
    super(`file of ${size} bytes exceeds the ${max}-byte limit`);
    this.name = 'FileTooLargeError';
  }
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

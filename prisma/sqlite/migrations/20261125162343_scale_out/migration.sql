-- AlterTable
ALTER TABLE "Pqr" ADD COLUMN "filingKey" TEXT;

-- CreateTable
CREATE TABLE "Lease" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "owner" TEXT NOT NULL,
    "until" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_InboundMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "conversationKey" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "repliesSent" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT
);
INSERT INTO "new_InboundMessage" ("attempts", "channel", "conversationKey", "externalId", "id", "lastError", "payload", "processedAt", "receivedAt") SELECT "attempts", "channel", "conversationKey", "externalId", "id", "lastError", "payload", "processedAt", "receivedAt" FROM "InboundMessage";
DROP TABLE "InboundMessage";
ALTER TABLE "new_InboundMessage" RENAME TO "InboundMessage";
CREATE INDEX "InboundMessage_processedAt_idx" ON "InboundMessage"("processedAt");
CREATE INDEX "InboundMessage_channel_conversationKey_processedAt_idx" ON "InboundMessage"("channel", "conversationKey", "processedAt");
CREATE UNIQUE INDEX "InboundMessage_channel_externalId_key" ON "InboundMessage"("channel", "externalId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Pqr_filingKey_key" ON "Pqr"("filingKey");

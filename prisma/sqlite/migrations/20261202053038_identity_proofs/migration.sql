-- AlterTable
ALTER TABLE "Pqr" ADD COLUMN "requesterDocumentNumber" TEXT;
ALTER TABLE "Pqr" ADD COLUMN "requesterDocumentType" TEXT;
ALTER TABLE "Pqr" ADD COLUMN "requesterEmail" TEXT;
ALTER TABLE "Pqr" ADD COLUMN "requesterName" TEXT;

-- CreateTable
CREATE TABLE "IdentityProof" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "identityId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "provenAt" DATETIME NOT NULL,
    CONSTRAINT "IdentityProof_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "ChannelIdentity" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "VerificationCode" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "identityId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "VerificationCode_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "ChannelIdentity" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ServerSecret" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ChannelIdentity" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "conversationRef" TEXT,
    "locale" TEXT,
    "lastInboundAt" DATETIME,
    "consentAt" DATETIME,
    "consentVersion" TEXT,
    "consentRevokedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_ChannelIdentity" ("channel", "consentAt", "consentRevokedAt", "consentVersion", "conversationRef", "createdAt", "id", "lastInboundAt", "locale", "userId") SELECT "channel", "consentAt", "consentRevokedAt", "consentVersion", "conversationRef", "createdAt", "id", "lastInboundAt", "locale", "userId" FROM "ChannelIdentity";
DROP TABLE "ChannelIdentity";
ALTER TABLE "new_ChannelIdentity" RENAME TO "ChannelIdentity";
CREATE UNIQUE INDEX "ChannelIdentity_channel_userId_key" ON "ChannelIdentity"("channel", "userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "IdentityProof_kind_value_idx" ON "IdentityProof"("kind", "value");

-- CreateIndex
CREATE UNIQUE INDEX "IdentityProof_identityId_kind_value_key" ON "IdentityProof"("identityId", "kind", "value");

-- CreateIndex
CREATE INDEX "VerificationCode_identityId_usedAt_idx" ON "VerificationCode"("identityId", "usedAt");

-- CreateIndex
CREATE INDEX "Pqr_requesterDocumentNumber_idx" ON "Pqr"("requesterDocumentNumber");

-- CreateIndex
CREATE INDEX "Pqr_requesterEmail_idx" ON "Pqr"("requesterEmail");


-- PQRs filed before this migration keep the data of the non-customer they were linked to.
UPDATE "Pqr" SET
  "requesterName" = (SELECT n."fullName" FROM "NonCustomer" n WHERE n."id" = "Pqr"."nonCustomerId"),
  "requesterDocumentType" = (SELECT n."documentType" FROM "NonCustomer" n WHERE n."id" = "Pqr"."nonCustomerId"),
  "requesterDocumentNumber" = (SELECT n."documentNumber" FROM "NonCustomer" n WHERE n."id" = "Pqr"."nonCustomerId"),
  "requesterEmail" = (SELECT n."email" FROM "NonCustomer" n WHERE n."id" = "Pqr"."nonCustomerId")
WHERE "nonCustomerId" IS NOT NULL;

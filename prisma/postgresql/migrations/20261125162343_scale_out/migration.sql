-- AlterTable
ALTER TABLE "Pqr" ADD COLUMN     "filingKey" TEXT;

-- AlterTable
ALTER TABLE "InboundMessage" ADD COLUMN     "repliesSent" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Lease" (
    "key" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Lease_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Pqr_filingKey_key" ON "Pqr"("filingKey");

-- CreateIndex
CREATE INDEX "InboundMessage_channel_conversationKey_processedAt_idx" ON "InboundMessage"("channel", "conversationKey", "processedAt");

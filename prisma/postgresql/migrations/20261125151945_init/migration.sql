-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Brand" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "cunCode" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Brand_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Subscriber" (
    "id" SERIAL NOT NULL,
    "brandId" TEXT NOT NULL,
    "line" TEXT NOT NULL,
    "fullName" TEXT,
    "documentType" TEXT,
    "documentNumber" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Subscriber_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NonCustomer" (
    "id" SERIAL NOT NULL,
    "fullName" TEXT NOT NULL,
    "documentType" TEXT NOT NULL,
    "documentNumber" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NonCustomer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChannelIdentity" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "conversationRef" TEXT,
    "locale" TEXT,
    "lastInboundAt" TIMESTAMP(3),
    "consentAt" TIMESTAMP(3),
    "consentVersion" TEXT,
    "consentRevokedAt" TIMESTAMP(3),
    "subscriberId" INTEGER,
    "nonCustomerId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChannelIdentity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Pqr" (
    "id" SERIAL NOT NULL,
    "cun" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "entryChannel" TEXT NOT NULL,
    "notifyChannel" TEXT NOT NULL,
    "notifyAddress" TEXT NOT NULL,
    "brandId" TEXT,
    "identityId" INTEGER,
    "subscriberId" INTEGER,
    "nonCustomerId" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'radicada',
    "filedAt" TIMESTAMP(3) NOT NULL,
    "countedFrom" TIMESTAMP(3) NOT NULL,
    "dueDate" TIMESTAMP(3) NOT NULL,
    "answeredAt" TIMESTAMP(3),
    "answerText" TEXT,
    "answerOutcome" TEXT,
    "notifiedAt" TIMESTAMP(3),
    "vencida" BOOLEAN NOT NULL DEFAULT false,
    "vencidaAt" TIMESTAMP(3),
    "recursoKind" TEXT,
    "recursoText" TEXT,
    "recursoFiledAt" TIMESTAMP(3),
    "recursoDueDate" TIMESTAMP(3),
    "decisionText" TEXT,
    "decisionOutcome" TEXT,
    "decidedAt" TIMESTAMP(3),
    "sicDueDate" TIMESTAMP(3),
    "trasladadaAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Pqr_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PqrEvent" (
    "id" SERIAL NOT NULL,
    "pqrId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "before" TEXT,
    "after" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "PqrEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Attachment" (
    "id" SERIAL NOT NULL,
    "pqrId" INTEGER,
    "identityId" INTEGER,
    "kind" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "fileName" TEXT,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Attachment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboundMessage" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "conversationKey" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "InboundMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Outbox" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "conversationKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "externalId" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "readAt" TIMESTAMP(3),
    "lastError" TEXT,
    "pqrId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeliveryReceipt" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "raw" TEXT NOT NULL,
    "outboxId" INTEGER,

    CONSTRAINT "DeliveryReceipt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BotState" (
    "key" TEXT NOT NULL,
    "eTag" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BotState_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "CunCounter" (
    "code" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "CunCounter_pkey" PRIMARY KEY ("code","year")
);

-- CreateTable
CREATE TABLE "Agent" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Agent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HolidayOverride" (
    "date" TEXT NOT NULL,
    "isHoliday" BOOLEAN NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "HolidayOverride_pkey" PRIMARY KEY ("date")
);

-- CreateTable
CREATE TABLE "DirectLineConversation" (
    "id" TEXT NOT NULL,
    "userId" TEXT,
    "lastSeq" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DirectLineConversation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DirectLineActivity" (
    "id" SERIAL NOT NULL,
    "conversationId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "activity" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DirectLineActivity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NluCorrection" (
    "id" SERIAL NOT NULL,
    "text" TEXT NOT NULL,
    "predicted" TEXT NOT NULL,
    "chosen" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NluCorrection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Subscriber_brandId_line_key" ON "Subscriber"("brandId", "line");

-- CreateIndex
CREATE UNIQUE INDEX "NonCustomer_documentType_documentNumber_key" ON "NonCustomer"("documentType", "documentNumber");

-- CreateIndex
CREATE UNIQUE INDEX "ChannelIdentity_channel_userId_key" ON "ChannelIdentity"("channel", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "Pqr_cun_key" ON "Pqr"("cun");

-- CreateIndex
CREATE INDEX "Pqr_status_dueDate_idx" ON "Pqr"("status", "dueDate");

-- CreateIndex
CREATE INDEX "Pqr_identityId_idx" ON "Pqr"("identityId");

-- CreateIndex
CREATE INDEX "Pqr_nonCustomerId_idx" ON "Pqr"("nonCustomerId");

-- CreateIndex
CREATE INDEX "Pqr_subscriberId_idx" ON "Pqr"("subscriberId");

-- CreateIndex
CREATE UNIQUE INDEX "PqrEvent_pqrId_seq_key" ON "PqrEvent"("pqrId", "seq");

-- CreateIndex
CREATE INDEX "Attachment_pqrId_idx" ON "Attachment"("pqrId");

-- CreateIndex
CREATE INDEX "InboundMessage_processedAt_idx" ON "InboundMessage"("processedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundMessage_channel_externalId_key" ON "InboundMessage"("channel", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Outbox_idempotencyKey_key" ON "Outbox"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Outbox_status_nextAttemptAt_idx" ON "Outbox"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Outbox_externalId_idx" ON "Outbox"("externalId");

-- CreateIndex
CREATE INDEX "DeliveryReceipt_externalId_idx" ON "DeliveryReceipt"("externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Agent_email_key" ON "Agent"("email");

-- CreateIndex
CREATE UNIQUE INDEX "DirectLineActivity_conversationId_seq_key" ON "DirectLineActivity"("conversationId", "seq");

-- AddForeignKey
ALTER TABLE "Subscriber" ADD CONSTRAINT "Subscriber_brandId_fkey" FOREIGN KEY ("brandId") REFERENCES "Brand"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChannelIdentity" ADD CONSTRAINT "ChannelIdentity_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChannelIdentity" ADD CONSTRAINT "ChannelIdentity_nonCustomerId_fkey" FOREIGN KEY ("nonCustomerId") REFERENCES "NonCustomer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Pqr" ADD CONSTRAINT "Pqr_brandId_fkey" FOREIGN KEY ("brandId") REFERENCES "Brand"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Pqr" ADD CONSTRAINT "Pqr_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "ChannelIdentity"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Pqr" ADD CONSTRAINT "Pqr_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Pqr" ADD CONSTRAINT "Pqr_nonCustomerId_fkey" FOREIGN KEY ("nonCustomerId") REFERENCES "NonCustomer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PqrEvent" ADD CONSTRAINT "PqrEvent_pqrId_fkey" FOREIGN KEY ("pqrId") REFERENCES "Pqr"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attachment" ADD CONSTRAINT "Attachment_pqrId_fkey" FOREIGN KEY ("pqrId") REFERENCES "Pqr"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DirectLineActivity" ADD CONSTRAINT "DirectLineActivity_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "DirectLineConversation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "Brand" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "cunCode" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Subscriber" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "brandId" TEXT NOT NULL,
    "line" TEXT NOT NULL,
    "fullName" TEXT,
    "documentType" TEXT,
    "documentNumber" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Subscriber_brandId_fkey" FOREIGN KEY ("brandId") REFERENCES "Brand" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "NonCustomer" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "fullName" TEXT NOT NULL,
    "documentType" TEXT NOT NULL,
    "documentNumber" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ChannelIdentity" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "conversationRef" TEXT,
    "locale" TEXT,
    "lastInboundAt" DATETIME,
    "consentAt" DATETIME,
    "consentVersion" TEXT,
    "consentRevokedAt" DATETIME,
    "subscriberId" INTEGER,
    "nonCustomerId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ChannelIdentity_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "ChannelIdentity_nonCustomerId_fkey" FOREIGN KEY ("nonCustomerId") REFERENCES "NonCustomer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Pqr" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "filedAt" DATETIME NOT NULL,
    "countedFrom" DATETIME NOT NULL,
    "dueDate" DATETIME NOT NULL,
    "answeredAt" DATETIME,
    "answerText" TEXT,
    "answerOutcome" TEXT,
    "notifiedAt" DATETIME,
    "vencida" BOOLEAN NOT NULL DEFAULT false,
    "vencidaAt" DATETIME,
    "recursoKind" TEXT,
    "recursoText" TEXT,
    "recursoFiledAt" DATETIME,
    "recursoDueDate" DATETIME,
    "decisionText" TEXT,
    "decisionOutcome" TEXT,
    "decidedAt" DATETIME,
    "sicDueDate" DATETIME,
    "trasladadaAt" DATETIME,
    "closedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Pqr_brandId_fkey" FOREIGN KEY ("brandId") REFERENCES "Brand" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Pqr_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "ChannelIdentity" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Pqr_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Pqr_nonCustomerId_fkey" FOREIGN KEY ("nonCustomerId") REFERENCES "NonCustomer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PqrEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "pqrId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "before" TEXT,
    "after" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    CONSTRAINT "PqrEvent_pqrId_fkey" FOREIGN KEY ("pqrId") REFERENCES "Pqr" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Attachment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "pqrId" INTEGER,
    "identityId" INTEGER,
    "kind" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "fileName" TEXT,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "data" BLOB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Attachment_pqrId_fkey" FOREIGN KEY ("pqrId") REFERENCES "Pqr" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "InboundMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "conversationKey" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT
);

-- CreateTable
CREATE TABLE "Outbox" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "conversationKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" DATETIME,
    "sentAt" DATETIME,
    "externalId" TEXT,
    "deliveredAt" DATETIME,
    "readAt" DATETIME,
    "lastError" TEXT,
    "pqrId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "DeliveryReceipt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "raw" TEXT NOT NULL,
    "outboxId" INTEGER
);

-- CreateTable
CREATE TABLE "BotState" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "eTag" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CunCounter" (
    "code" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    PRIMARY KEY ("code", "year")
);

-- CreateTable
CREATE TABLE "Agent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "HolidayOverride" (
    "date" TEXT NOT NULL PRIMARY KEY,
    "isHoliday" BOOLEAN NOT NULL,
    "reason" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "DirectLineConversation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT,
    "lastSeq" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "DirectLineActivity" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "conversationId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "activity" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DirectLineActivity_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "DirectLineConversation" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "NluCorrection" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "text" TEXT NOT NULL,
    "predicted" TEXT NOT NULL,
    "chosen" TEXT NOT NULL,
    "confidence" REAL NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
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

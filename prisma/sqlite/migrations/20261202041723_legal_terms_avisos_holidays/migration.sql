-- CreateTable
CREATE TABLE "HolidayChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "date" TEXT NOT NULL,
    "isHoliday" BOOLEAN,
    "reason" TEXT
);

-- CreateTable
CREATE TABLE "Aviso" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "pqrId" INTEGER NOT NULL,
    "act" TEXT NOT NULL,
    "medium" TEXT NOT NULL,
    "cun" TEXT NOT NULL,
    "actAt" DATETIME NOT NULL,
    "postedAt" DATETIME NOT NULL,
    "until" DATETIME,
    "notifiesAt" DATETIME,
    CONSTRAINT "Aviso_pqrId_fkey" FOREIGN KEY ("pqrId") REFERENCES "Pqr" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Pqr" (
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
    "decisionNotifiedAt" DATETIME,
    "recursoVencida" BOOLEAN NOT NULL DEFAULT false,
    "recursoVencidaAt" DATETIME,
    "sicDueDate" DATETIME,
    "trasladadaAt" DATETIME,
    "closedAt" DATETIME,
    "filingKey" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Pqr_brandId_fkey" FOREIGN KEY ("brandId") REFERENCES "Brand" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Pqr_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "ChannelIdentity" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Pqr_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Pqr_nonCustomerId_fkey" FOREIGN KEY ("nonCustomerId") REFERENCES "NonCustomer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Pqr" ("answerOutcome", "answerText", "answeredAt", "brandId", "closedAt", "countedFrom", "createdAt", "cun", "decidedAt", "decisionOutcome", "decisionText", "description", "dueDate", "entryChannel", "filedAt", "filingKey", "id", "identityId", "nonCustomerId", "notifiedAt", "notifyAddress", "notifyChannel", "recursoDueDate", "recursoFiledAt", "recursoKind", "recursoText", "sicDueDate", "status", "subscriberId", "trasladadaAt", "type", "updatedAt", "vencida", "vencidaAt") SELECT "answerOutcome", "answerText", "answeredAt", "brandId", "closedAt", "countedFrom", "createdAt", "cun", "decidedAt", "decisionOutcome", "decisionText", "description", "dueDate", "entryChannel", "filedAt", "filingKey", "id", "identityId", "nonCustomerId", "notifiedAt", "notifyAddress", "notifyChannel", "recursoDueDate", "recursoFiledAt", "recursoKind", "recursoText", "sicDueDate", "status", "subscriberId", "trasladadaAt", "type", "updatedAt", "vencida", "vencidaAt" FROM "Pqr";
DROP TABLE "Pqr";
ALTER TABLE "new_Pqr" RENAME TO "Pqr";
CREATE UNIQUE INDEX "Pqr_cun_key" ON "Pqr"("cun");
CREATE UNIQUE INDEX "Pqr_filingKey_key" ON "Pqr"("filingKey");
CREATE INDEX "Pqr_status_dueDate_idx" ON "Pqr"("status", "dueDate");
CREATE INDEX "Pqr_identityId_idx" ON "Pqr"("identityId");
CREATE INDEX "Pqr_nonCustomerId_idx" ON "Pqr"("nonCustomerId");
CREATE INDEX "Pqr_subscriberId_idx" ON "Pqr"("subscriberId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Aviso_medium_until_idx" ON "Aviso"("medium", "until");

-- CreateIndex
CREATE UNIQUE INDEX "Aviso_pqrId_act_medium_key" ON "Aviso"("pqrId", "act", "medium");

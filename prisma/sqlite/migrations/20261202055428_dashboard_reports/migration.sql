-- CreateTable
CREATE TABLE "NluClarification" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "askedAt" DATETIME NOT NULL,
    "predicted" TEXT NOT NULL,
    "confidence" REAL NOT NULL
);

-- CreateIndex
CREATE INDEX "NluClarification_askedAt_idx" ON "NluClarification"("askedAt");

-- CreateIndex
CREATE INDEX "Pqr_filedAt_idx" ON "Pqr"("filedAt");

-- CreateIndex
CREATE INDEX "Pqr_status_notifiedAt_idx" ON "Pqr"("status", "notifiedAt");

-- CreateTable
CREATE TABLE "NluClarification" (
    "id" SERIAL NOT NULL,
    "askedAt" TIMESTAMP(3) NOT NULL,
    "predicted" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "NluClarification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "NluClarification_askedAt_idx" ON "NluClarification"("askedAt");

-- CreateIndex
CREATE INDEX "Pqr_filedAt_idx" ON "Pqr"("filedAt");

-- CreateIndex
CREATE INDEX "Pqr_status_notifiedAt_idx" ON "Pqr"("status", "notifiedAt");

-- CreateTable
CREATE TABLE "DataRequest" (
    "id" SERIAL NOT NULL,
    "number" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "action" TEXT,
    "identityId" INTEGER NOT NULL,
    "detail" TEXT,
    "status" TEXT NOT NULL,
    "filedAt" TIMESTAMP(3) NOT NULL,
    "countedFrom" TIMESTAMP(3) NOT NULL,
    "dueDate" TIMESTAMP(3) NOT NULL,
    "extendedAt" TIMESTAMP(3),
    "extensionReason" TEXT,
    "requiredAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "answerText" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DataRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DataRequestEvent" (
    "id" SERIAL NOT NULL,
    "requestId" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "detail" TEXT,

    CONSTRAINT "DataRequestEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DataRequest_number_key" ON "DataRequest"("number");

-- CreateIndex
CREATE INDEX "DataRequest_status_dueDate_idx" ON "DataRequest"("status", "dueDate");

-- CreateIndex
CREATE INDEX "DataRequest_identityId_idx" ON "DataRequest"("identityId");

-- CreateIndex
CREATE INDEX "DataRequestEvent_requestId_idx" ON "DataRequestEvent"("requestId");

-- AddForeignKey
ALTER TABLE "DataRequestEvent" ADD CONSTRAINT "DataRequestEvent_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "DataRequest"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "DataRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "number" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "action" TEXT,
    "identityId" INTEGER NOT NULL,
    "detail" TEXT,
    "status" TEXT NOT NULL,
    "filedAt" DATETIME NOT NULL,
    "countedFrom" DATETIME NOT NULL,
    "dueDate" DATETIME NOT NULL,
    "extendedAt" DATETIME,
    "extensionReason" TEXT,
    "requiredAt" DATETIME,
    "closedAt" DATETIME,
    "answerText" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "DataRequestEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "requestId" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "detail" TEXT,
    CONSTRAINT "DataRequestEvent_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "DataRequest" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "DataRequest_number_key" ON "DataRequest"("number");

-- CreateIndex
CREATE INDEX "DataRequest_status_dueDate_idx" ON "DataRequest"("status", "dueDate");

-- CreateIndex
CREATE INDEX "DataRequest_identityId_idx" ON "DataRequest"("identityId");

-- CreateIndex
CREATE INDEX "DataRequestEvent_requestId_idx" ON "DataRequestEvent"("requestId");

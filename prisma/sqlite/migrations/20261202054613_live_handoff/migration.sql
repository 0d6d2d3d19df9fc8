-- CreateTable
CREATE TABLE "Handoff" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'live',
    "state" TEXT NOT NULL DEFAULT 'waiting',
    "openKey" TEXT,
    "summary" TEXT NOT NULL,
    "cuns" TEXT NOT NULL DEFAULT '[]',
    "locale" TEXT,
    "waitingSince" DATETIME NOT NULL,
    "heldBy" TEXT,
    "agentId" INTEGER,
    "heldUntil" DATETIME,
    "takenAt" DATETIME,
    "closedAt" DATETIME,
    "closedBy" TEXT,
    "closeNote" TEXT,
    "waitNoticeAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "HandoffMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "handoffId" INTEGER NOT NULL,
    "from" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "agentId" INTEGER,
    "at" DATETIME NOT NULL,
    "sourceKey" TEXT,
    CONSTRAINT "HandoffMessage_handoffId_fkey" FOREIGN KEY ("handoffId") REFERENCES "Handoff" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AgentPresence" (
    "actor" TEXT NOT NULL PRIMARY KEY,
    "lastSeenAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Rating" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "subjectKey" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "pqrId" INTEGER,
    "cun" TEXT,
    "handoffId" INTEGER,
    "agentId" INTEGER,
    "state" TEXT NOT NULL DEFAULT 'asked',
    "score" INTEGER,
    "comment" TEXT,
    "askedAt" DATETIME NOT NULL,
    "ratedAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "Handoff_openKey_key" ON "Handoff"("openKey");

-- CreateIndex
CREATE INDEX "Handoff_state_waitingSince_idx" ON "Handoff"("state", "waitingSince");

-- CreateIndex
CREATE INDEX "Handoff_state_heldUntil_idx" ON "Handoff"("state", "heldUntil");

-- CreateIndex
CREATE UNIQUE INDEX "HandoffMessage_sourceKey_key" ON "HandoffMessage"("sourceKey");

-- CreateIndex
CREATE INDEX "HandoffMessage_handoffId_id_idx" ON "HandoffMessage"("handoffId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Rating_subjectKey_key" ON "Rating"("subjectKey");

-- CreateIndex
CREATE INDEX "Rating_channel_userId_state_idx" ON "Rating"("channel", "userId", "state");

-- CreateIndex
CREATE INDEX "Rating_ratedAt_idx" ON "Rating"("ratedAt");

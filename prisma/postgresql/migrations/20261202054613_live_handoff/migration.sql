-- CreateTable
CREATE TABLE "Handoff" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'live',
    "state" TEXT NOT NULL DEFAULT 'waiting',
    "openKey" TEXT,
    "summary" TEXT NOT NULL,
    "cuns" TEXT NOT NULL DEFAULT '[]',
    "locale" TEXT,
    "waitingSince" TIMESTAMP(3) NOT NULL,
    "heldBy" TEXT,
    "agentId" INTEGER,
    "heldUntil" TIMESTAMP(3),
    "takenAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "closedBy" TEXT,
    "closeNote" TEXT,
    "waitNoticeAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Handoff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HandoffMessage" (
    "id" SERIAL NOT NULL,
    "handoffId" INTEGER NOT NULL,
    "from" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "agentId" INTEGER,
    "at" TIMESTAMP(3) NOT NULL,
    "sourceKey" TEXT,

    CONSTRAINT "HandoffMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentPresence" (
    "actor" TEXT NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AgentPresence_pkey" PRIMARY KEY ("actor")
);

-- CreateTable
CREATE TABLE "Rating" (
    "id" SERIAL NOT NULL,
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
    "askedAt" TIMESTAMP(3) NOT NULL,
    "ratedAt" TIMESTAMP(3),

    CONSTRAINT "Rating_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "HandoffMessage" ADD CONSTRAINT "HandoffMessage_handoffId_fkey" FOREIGN KEY ("handoffId") REFERENCES "Handoff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

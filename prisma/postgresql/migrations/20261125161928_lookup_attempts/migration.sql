-- CreateTable
CREATE TABLE "LookupAttempt" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "LookupAttempt_pkey" PRIMARY KEY ("key")
);

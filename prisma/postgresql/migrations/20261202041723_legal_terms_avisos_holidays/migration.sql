-- AlterTable
ALTER TABLE "Pqr" ADD COLUMN     "decisionNotifiedAt" TIMESTAMP(3),
ADD COLUMN     "recursoVencida" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "recursoVencidaAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "HolidayChange" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "date" TEXT NOT NULL,
    "isHoliday" BOOLEAN,
    "reason" TEXT,

    CONSTRAINT "HolidayChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Aviso" (
    "id" SERIAL NOT NULL,
    "pqrId" INTEGER NOT NULL,
    "act" TEXT NOT NULL,
    "medium" TEXT NOT NULL,
    "cun" TEXT NOT NULL,
    "actAt" TIMESTAMP(3) NOT NULL,
    "postedAt" TIMESTAMP(3) NOT NULL,
    "until" TIMESTAMP(3),
    "notifiesAt" TIMESTAMP(3),

    CONSTRAINT "Aviso_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Aviso_medium_until_idx" ON "Aviso"("medium", "until");

-- CreateIndex
CREATE UNIQUE INDEX "Aviso_pqrId_act_medium_key" ON "Aviso"("pqrId", "act", "medium");

-- AddForeignKey
ALTER TABLE "Aviso" ADD CONSTRAINT "Aviso_pqrId_fkey" FOREIGN KEY ("pqrId") REFERENCES "Pqr"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

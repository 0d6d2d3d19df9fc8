-- DropForeignKey
ALTER TABLE "ChannelIdentity" DROP CONSTRAINT "ChannelIdentity_subscriberId_fkey";

-- DropForeignKey
ALTER TABLE "ChannelIdentity" DROP CONSTRAINT "ChannelIdentity_nonCustomerId_fkey";

-- AlterTable
ALTER TABLE "ChannelIdentity" DROP COLUMN "nonCustomerId",
DROP COLUMN "subscriberId";

-- AlterTable
ALTER TABLE "Pqr" ADD COLUMN     "requesterDocumentNumber" TEXT,
ADD COLUMN     "requesterDocumentType" TEXT,
ADD COLUMN     "requesterEmail" TEXT,
ADD COLUMN     "requesterName" TEXT;

-- CreateTable
CREATE TABLE "IdentityProof" (
    "id" SERIAL NOT NULL,
    "identityId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "provenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IdentityProof_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VerificationCode" (
    "id" SERIAL NOT NULL,
    "identityId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VerificationCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServerSecret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServerSecret_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "IdentityProof_kind_value_idx" ON "IdentityProof"("kind", "value");

-- CreateIndex
CREATE UNIQUE INDEX "IdentityProof_identityId_kind_value_key" ON "IdentityProof"("identityId", "kind", "value");

-- CreateIndex
CREATE INDEX "VerificationCode_identityId_usedAt_idx" ON "VerificationCode"("identityId", "usedAt");

-- CreateIndex
CREATE INDEX "Pqr_requesterDocumentNumber_idx" ON "Pqr"("requesterDocumentNumber");

-- CreateIndex
CREATE INDEX "Pqr_requesterEmail_idx" ON "Pqr"("requesterEmail");

-- AddForeignKey
ALTER TABLE "IdentityProof" ADD CONSTRAINT "IdentityProof_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "ChannelIdentity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VerificationCode" ADD CONSTRAINT "VerificationCode_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "ChannelIdentity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- PQRs filed before this migration keep the data of the non-customer they were linked to.
UPDATE "Pqr" SET
  "requesterName" = (SELECT n."fullName" FROM "NonCustomer" n WHERE n."id" = "Pqr"."nonCustomerId"),
  "requesterDocumentType" = (SELECT n."documentType" FROM "NonCustomer" n WHERE n."id" = "Pqr"."nonCustomerId"),
  "requesterDocumentNumber" = (SELECT n."documentNumber" FROM "NonCustomer" n WHERE n."id" = "Pqr"."nonCustomerId"),
  "requesterEmail" = (SELECT n."email" FROM "NonCustomer" n WHERE n."id" = "Pqr"."nonCustomerId")
WHERE "nonCustomerId" IS NOT NULL;

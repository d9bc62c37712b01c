-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('SHOPIFY', 'WOOCOMMERCE', 'IMPORT');

-- CreateEnum
CREATE TYPE "InstallState" AS ENUM ('INSTALLED', 'NEEDS_REAUTH', 'UNINSTALLED');

-- CreateEnum
CREATE TYPE "ProductStatus" AS ENUM ('ACTIVE', 'DRAFT', 'ARCHIVED');

-- CreateEnum
CREATE TYPE "FinancialStatus" AS ENUM ('PENDING', 'AUTHORIZED', 'PAID', 'PARTIALLY_PAID', 'PARTIALLY_REFUNDED', 'REFUNDED', 'VOIDED', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "LineKind" AS ENUM ('PRODUCT', 'SHIPPING', 'DISCOUNT', 'FEE', 'ADJUSTMENT', 'GIFT_CARD', 'OTHER');

-- CreateEnum
CREATE TYPE "DeliveryOutcome" AS ENUM ('RECEIVED', 'PROCESSED', 'IGNORED', 'FAILED');

-- CreateEnum
CREATE TYPE "SyncKind" AS ENUM ('BACKFILL', 'RECONCILE', 'FILE_IMPORT');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "ModelKind" AS ENUM ('DAILY_AGGREGATES', 'RECOMMENDATIONS', 'CUSTOMER_SCORES', 'FORECAST');

-- CreateEnum
CREATE TYPE "ProductRecommendationKind" AS ENUM ('BOUGHT_TOGETHER', 'SIMILAR');

-- CreateTable
CREATE TABLE "Shop" (
    "id" SERIAL NOT NULL,
    "platform" "Platform" NOT NULL,
    "domain" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "installState" "InstallState" NOT NULL DEFAULT 'INSTALLED',
    "installedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Shop_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Customer" (
    "id" SERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "externalId" TEXT NOT NULL,
    "email" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "country" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "acceptsMarketing" BOOLEAN,
    "platformCreatedAt" TIMESTAMPTZ(3),
    "platformUpdatedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Product" (
    "id" SERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "externalId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "handle" TEXT,
    "productType" TEXT,
    "vendor" TEXT,
    "status" "ProductStatus" NOT NULL DEFAULT 'ACTIVE',
    "imageUrl" TEXT,
    "totalInventory" INTEGER,
    "recommendable" BOOLEAN NOT NULL DEFAULT true,
    "deletedAt" TIMESTAMPTZ(3),
    "platformCreatedAt" TIMESTAMPTZ(3),
    "platformUpdatedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductVariant" (
    "id" SERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "productId" INTEGER NOT NULL,
    "externalId" TEXT NOT NULL,
    "title" TEXT,
    "sku" TEXT,
    "price" DECIMAL(19,4),
    "inventoryQuantity" INTEGER,
    "platformUpdatedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ProductVariant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Order" (
    "id" SERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "customerId" INTEGER,
    "processedAt" TIMESTAMPTZ(3) NOT NULL,
    "localDate" DATE NOT NULL,
    "financialStatus" "FinancialStatus" NOT NULL DEFAULT 'UNKNOWN',
    "cancelledAt" TIMESTAMPTZ(3),
    "cancelReason" TEXT,
    "currency" CHAR(3) NOT NULL,
    "subtotalPrice" DECIMAL(19,4) NOT NULL,
    "totalDiscounts" DECIMAL(19,4) NOT NULL DEFAULT 0,
    "totalShipping" DECIMAL(19,4) NOT NULL DEFAULT 0,
    "totalTax" DECIMAL(19,4) NOT NULL DEFAULT 0,
    "totalPrice" DECIMAL(19,4) NOT NULL,
    "totalRefunded" DECIMAL(19,4) NOT NULL DEFAULT 0,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "platformCreatedAt" TIMESTAMPTZ(3),
    "platformUpdatedAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrderLine" (
    "id" BIGSERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "orderId" INTEGER NOT NULL,
    "externalId" TEXT NOT NULL,
    "kind" "LineKind" NOT NULL DEFAULT 'PRODUCT',
    "productId" INTEGER,
    "variantId" INTEGER,
    "sku" TEXT,
    "title" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unitPrice" DECIMAL(19,4) NOT NULL,
    "totalDiscount" DECIMAL(19,4) NOT NULL DEFAULT 0,

    CONSTRAINT "OrderLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Refund" (
    "id" SERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "externalId" TEXT NOT NULL,
    "orderId" INTEGER,
    "customerId" INTEGER,
    "processedAt" TIMESTAMPTZ(3) NOT NULL,
    "localDate" DATE NOT NULL,
    "isCancellation" BOOLEAN NOT NULL DEFAULT false,
    "note" TEXT,
    "currency" CHAR(3) NOT NULL,
    "totalAmount" DECIMAL(19,4) NOT NULL,
    "platformUpdatedAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Refund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RefundLine" (
    "id" BIGSERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "refundId" INTEGER NOT NULL,
    "orderLineId" BIGINT,
    "kind" "LineKind" NOT NULL DEFAULT 'PRODUCT',
    "productId" INTEGER,
    "sku" TEXT,
    "title" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "amount" DECIMAL(19,4) NOT NULL,

    CONSTRAINT "RefundLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" BIGSERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "platform" "Platform" NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMPTZ(3),
    "outcome" "DeliveryOutcome" NOT NULL DEFAULT 'RECEIVED',
    "error" TEXT,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" SERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "kind" "SyncKind" NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'QUEUED',
    "phase" TEXT,
    "cursor" TEXT,
    "counts" JSONB NOT NULL DEFAULT '{}',
    "progress" DOUBLE PRECISION,
    "error" TEXT,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelRun" (
    "id" SERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "kind" "ModelKind" NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'RUNNING',
    "parameters" JSONB NOT NULL DEFAULT '{}',
    "metrics" JSONB,
    "timings" JSONB,
    "error" TEXT,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ModelRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShopDailyStat" (
    "shopId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "orders" INTEGER NOT NULL,
    "customerOrders" INTEGER NOT NULL,
    "customers" INTEGER NOT NULL,
    "newCustomers" INTEGER NOT NULL,
    "units" INTEGER NOT NULL,
    "grossRevenue" DECIMAL(19,4) NOT NULL,
    "refunds" INTEGER NOT NULL,
    "refundedAmount" DECIMAL(19,4) NOT NULL,

    CONSTRAINT "ShopDailyStat_pkey" PRIMARY KEY ("shopId","day")
);

-- CreateTable
CREATE TABLE "ProductRecommendation" (
    "shopId" INTEGER NOT NULL,
    "productId" INTEGER NOT NULL,
    "kind" "ProductRecommendationKind" NOT NULL,
    "rank" SMALLINT NOT NULL,
    "recommendedProductId" INTEGER NOT NULL,
    "score" REAL NOT NULL,
    "modelRunId" INTEGER NOT NULL,

    CONSTRAINT "ProductRecommendation_pkey" PRIMARY KEY ("shopId","productId","kind","rank")
);

-- CreateTable
CREATE TABLE "CustomerRecommendation" (
    "shopId" INTEGER NOT NULL,
    "customerId" INTEGER NOT NULL,
    "rank" SMALLINT NOT NULL,
    "productId" INTEGER NOT NULL,
    "score" REAL NOT NULL,
    "modelRunId" INTEGER NOT NULL,

    CONSTRAINT "CustomerRecommendation_pkey" PRIMARY KEY ("shopId","customerId","rank")
);

-- CreateTable
CREATE TABLE "CustomerScore" (
    "shopId" INTEGER NOT NULL,
    "customerId" INTEGER NOT NULL,
    "pAlive" REAL NOT NULL,
    "pChurn90d" REAL NOT NULL,
    "expectedOrders90d" REAL NOT NULL,
    "expectedNextOrderAt" TIMESTAMPTZ(3),
    "predictedLifetimeValue" DECIMAL(19,4) NOT NULL,
    "segment" TEXT NOT NULL,
    "modelRunId" INTEGER NOT NULL,
    "computedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomerScore_pkey" PRIMARY KEY ("shopId","customerId")
);

-- CreateTable
CREATE TABLE "ForecastPoint" (
    "shopId" INTEGER NOT NULL,
    "series" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "mean" DOUBLE PRECISION NOT NULL,
    "lower80" DOUBLE PRECISION NOT NULL,
    "upper80" DOUBLE PRECISION NOT NULL,
    "modelRunId" INTEGER NOT NULL,

    CONSTRAINT "ForecastPoint_pkey" PRIMARY KEY ("shopId","series","day")
);

-- CreateIndex
CREATE UNIQUE INDEX "Shop_platform_domain_key" ON "Shop"("platform", "domain");

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE INDEX "Customer_shopId_email_idx" ON "Customer"("shopId", "email");

-- CreateIndex
CREATE UNIQUE INDEX "Customer_shopId_externalId_key" ON "Customer"("shopId", "externalId");

-- CreateIndex
CREATE INDEX "Product_shopId_status_idx" ON "Product"("shopId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Product_shopId_externalId_key" ON "Product"("shopId", "externalId");

-- CreateIndex
CREATE INDEX "ProductVariant_productId_idx" ON "ProductVariant"("productId");

-- CreateIndex
CREATE UNIQUE INDEX "ProductVariant_shopId_externalId_key" ON "ProductVariant"("shopId", "externalId");

-- CreateIndex
CREATE INDEX "Order_shopId_processedAt_idx" ON "Order"("shopId", "processedAt");

-- CreateIndex
CREATE INDEX "Order_shopId_localDate_idx" ON "Order"("shopId", "localDate");

-- CreateIndex
CREATE INDEX "Order_customerId_processedAt_idx" ON "Order"("customerId", "processedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Order_shopId_externalId_key" ON "Order"("shopId", "externalId");

-- CreateIndex
CREATE INDEX "OrderLine_orderId_idx" ON "OrderLine"("orderId");

-- CreateIndex
CREATE INDEX "OrderLine_shopId_productId_idx" ON "OrderLine"("shopId", "productId");

-- CreateIndex
CREATE UNIQUE INDEX "OrderLine_shopId_externalId_key" ON "OrderLine"("shopId", "externalId");

-- CreateIndex
CREATE INDEX "Refund_shopId_processedAt_idx" ON "Refund"("shopId", "processedAt");

-- CreateIndex
CREATE INDEX "Refund_orderId_idx" ON "Refund"("orderId");

-- CreateIndex
CREATE UNIQUE INDEX "Refund_shopId_externalId_key" ON "Refund"("shopId", "externalId");

-- CreateIndex
CREATE INDEX "RefundLine_refundId_idx" ON "RefundLine"("refundId");

-- CreateIndex
CREATE INDEX "RefundLine_orderLineId_idx" ON "RefundLine"("orderLineId");

-- CreateIndex
CREATE INDEX "RefundLine_shopId_productId_idx" ON "RefundLine"("shopId", "productId");

-- CreateIndex
CREATE INDEX "WebhookDelivery_shopId_receivedAt_idx" ON "WebhookDelivery"("shopId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_platform_dedupeKey_key" ON "WebhookDelivery"("platform", "dedupeKey");

-- CreateIndex
CREATE INDEX "SyncRun_shopId_startedAt_idx" ON "SyncRun"("shopId", "startedAt");

-- CreateIndex
CREATE INDEX "ModelRun_shopId_kind_startedAt_idx" ON "ModelRun"("shopId", "kind", "startedAt");

-- CreateIndex
CREATE INDEX "CustomerScore_shopId_segment_idx" ON "CustomerScore"("shopId", "segment");

-- AddForeignKey
ALTER TABLE "Customer" ADD CONSTRAINT "Customer_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Product" ADD CONSTRAINT "Product_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductVariant" ADD CONSTRAINT "ProductVariant_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductVariant" ADD CONSTRAINT "ProductVariant_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_variantId_fkey" FOREIGN KEY ("variantId") REFERENCES "ProductVariant"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RefundLine" ADD CONSTRAINT "RefundLine_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RefundLine" ADD CONSTRAINT "RefundLine_refundId_fkey" FOREIGN KEY ("refundId") REFERENCES "Refund"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RefundLine" ADD CONSTRAINT "RefundLine_orderLineId_fkey" FOREIGN KEY ("orderLineId") REFERENCES "OrderLine"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RefundLine" ADD CONSTRAINT "RefundLine_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelRun" ADD CONSTRAINT "ModelRun_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ShopDailyStat" ADD CONSTRAINT "ShopDailyStat_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductRecommendation" ADD CONSTRAINT "ProductRecommendation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductRecommendation" ADD CONSTRAINT "ProductRecommendation_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductRecommendation" ADD CONSTRAINT "ProductRecommendation_recommendedProductId_fkey" FOREIGN KEY ("recommendedProductId") REFERENCES "Product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerRecommendation" ADD CONSTRAINT "CustomerRecommendation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerRecommendation" ADD CONSTRAINT "CustomerRecommendation_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerRecommendation" ADD CONSTRAINT "CustomerRecommendation_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerScore" ADD CONSTRAINT "CustomerScore_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerScore" ADD CONSTRAINT "CustomerScore_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ForecastPoint" ADD CONSTRAINT "ForecastPoint_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;


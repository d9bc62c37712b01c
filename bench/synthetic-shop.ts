/**
 * A synthetic Shopify shop for the sync benchmark, generated deterministically from a seed
 * and streamed as bulk-operation JSONL (never held in memory whole). Shapes match the bulk
 * queries in app/platforms/shopify/bulk/queries.ts.
 */
export interface ShopSize {
  orders: number;
  customers: number;
  products: number;
}

/** mulberry32: a small, fast, seedable PRNG; plenty for synthetic data. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Ids as a real store has them: 13- and 14-digit numbers that grow with creation time (a
 * store's first order is not Order/1). The equal widths matter to the database: a text index
 * on externalId then grows at its right edge, as it does for a real shop, instead of taking
 * inserts all over the tree as "1", "10", "100", "2" would.
 */
export const shopifyIds = {
  product: (p: number) => String(8_200_000_000_000 + p * 5),
  variant: (p: number) => String(44_100_000_000_000 + p * 3),
  customer: (c: number) => String(6_900_000_000_000 + c * 7),
  order: (o: number) => String(5_100_000_000_000 + o * 11),
  lineItem: (o: number, l: number) => String(13_800_000_000_000 + o * 16 + l),
};
const gid = (type: string, id: string) => `gid://shopify/${type}/${id}`;

const money = (amount: string) => ({ shopMoney: { amount } });
const BASE = Date.UTC(2024, 0, 1);

export function* productLines(size: ShopSize): Generator<string> {
  for (let p = 1; p <= size.products; p++) {
    const at = new Date(BASE + p * 1000).toISOString();
    yield JSON.stringify({
      id: gid("Product", shopifyIds.product(p)),
      title: `Product ${p}`,
      handle: `product-${p}`,
      productType: `Type ${p % 40}`,
      vendor: `Vendor ${p % 25}`,
      status: "ACTIVE",
      createdAt: at,
      updatedAt: at,
      totalInventory: 100,
      tracksInventory: true,
      featuredMedia: null,
    });
    yield JSON.stringify({
      id: gid("ProductVariant", shopifyIds.variant(p)),
      title: "Default",
      sku: `SKU-${p}`,
      price: `${(p % 90) + 9}.99`,
      inventoryQuantity: 100,
      __parentId: gid("Product", shopifyIds.product(p)),
    });
  }
}

export function* customerLines(size: ShopSize): Generator<string> {
  for (let c = 1; c <= size.customers; c++) {
    const at = new Date(BASE + c * 1000).toISOString();
    yield JSON.stringify({
      id: gid("Customer", shopifyIds.customer(c)),
      email: `customer${c}@example.com`,
      firstName: `First${c}`,
      lastName: `Last${c}`,
      tags: [],
      createdAt: at,
      updatedAt: at,
      defaultAddress: { countryCodeV2: "US" },
      emailMarketingConsent: { marketingState: "NOT_SUBSCRIBED" },
    });
  }
}

export interface OrderStream {
  lines: Generator<string>;
  /** Filled while iterating. */
  totals: { orders: number; lineItems: number };
}

/** About 3 line items per order (1 to 5), skewed product popularity, 10% guest orders. */
export function orderLines(size: ShopSize, seed: number): OrderStream {
  const totals = { orders: 0, lineItems: 0 };
  const random = seeded(seed);
  function* generate() {
    for (let o = 1; o <= size.orders; o++) {
      const at = new Date(BASE + o * 30_000).toISOString();
      const count = 1 + Math.floor(random() * 5);
      const customer =
        random() < 0.1 ? null : { id: gid("Customer", shopifyIds.customer(1 + Math.floor(random() * size.customers))) };
      let total = 0;
      const items: string[] = [];
      for (let l = 1; l <= count; l++) {
        const product = 1 + Math.floor(size.products * random() ** 3); // popular products first
        const quantity = 1 + Math.floor(random() * 3);
        const price = (product % 90) + 9.99;
        total += quantity * price;
        items.push(
          JSON.stringify({
            id: gid("LineItem", shopifyIds.lineItem(o, l)),
            sku: `SKU-${product}`,
            name: `Product ${product}`,
            quantity,
            isGiftCard: false,
            originalUnitPriceSet: money(price.toFixed(2)),
            totalDiscountSet: money("0.00"),
            product: { id: gid("Product", shopifyIds.product(product)) },
            variant: { id: gid("ProductVariant", shopifyIds.variant(product)) },
            __parentId: gid("Order", shopifyIds.order(o)),
          }),
        );
      }
      const amount = total.toFixed(2);
      yield JSON.stringify({
        id: gid("Order", shopifyIds.order(o)),
        name: `#${1000 + o}`,
        createdAt: at,
        updatedAt: at,
        processedAt: at,
        cancelledAt: null,
        cancelReason: null,
        displayFinancialStatus: "PAID",
        currencyCode: "USD",
        test: false,
        subtotalPriceSet: money(amount),
        totalPriceSet: money(amount),
        totalTaxSet: money("0.00"),
        totalDiscountsSet: money("0.00"),
        totalShippingPriceSet: money("0.00"),
        totalRefundedSet: money("0.00"),
        customer,
        refunds: [],
      });
      yield* items;
      totals.orders += 1;
      totals.lineItems += count;
    }
  }
  return { lines: generate(), totals };
}

import { describe, expect, it } from "vitest";

import { canonicalOrder } from "~/ingest/canonical-order";
import { OrderRecord, validateAll } from "~/ingest/records";
import { orderFromBulk } from "~/platforms/shopify/bulk/mappers";

// A seeded generator, so a failing case can be replayed by its number.
import { orderLines, seeded } from "../bench/synthetic-shop";

type Mutable = Record<string, unknown> & { lines: Record<string, unknown>[] };

/** An order as the Shopify bulk mapper emits it: already canonical. */
function baseOrder(random: () => number, n: number): Mutable {
  const lineCount = 1 + Math.floor(random() * 4);
  return {
    externalId: String(5_100_000_000_000 + n),
    name: `#${1000 + n}`,
    customerExternalId: random() < 0.2 ? null : String(7_000_000 + n),
    processedAt: "2024-03-01T10:15:30Z",
    financialStatus: "PAID",
    cancelledAt: null,
    cancelReason: null,
    currency: "EUR",
    subtotalPrice: "120.50",
    totalDiscounts: "0.0",
    totalShipping: "4.95",
    totalTax: "20.08",
    totalPrice: "125.45",
    totalRefunded: "0.0",
    test: false,
    lines: Array.from({ length: lineCount }, (_, l) => ({
      externalId: `${n}-${l}`,
      kind: "PRODUCT",
      productExternalId: String(8_200_000 + l),
      variantExternalId: random() < 0.1 ? null : String(44_100_000 + l),
      sku: `SKU-${l}`,
      title: `Product ${l}`,
      quantity: 1 + l,
      unitPrice: "19.99",
      totalDiscount: "0.00",
    })),
    createdAt: "2024-03-01T10:15:29.120Z",
    updatedAt: "2024-03-02T08:00:00.000Z",
  };
}

/** Values that sit on or just past a rule of the schema, for any field. */
const EDGE_VALUES: unknown[] = [
  undefined,
  null,
  "",
  " ",
  "x",
  " padded ",
  "tab\t",
  "a".repeat(255),
  "a".repeat(256),
  "a".repeat(1000),
  "a".repeat(1001),
  "12",
  "-0.5",
  "1.1234567",
  "1e3",
  "1,50",
  "1234567890123456",
  "PAID",
  "VOIDED",
  "paid",
  "DISCOUNT",
  "EUR",
  "eur",
  "2024-02-29T00:00:00Z",
  "2023-02-29T00:00:00Z",
  "2024-04-31T12:00:00Z",
  "2024-01-01T24:00:00Z",
  "2024-01-01T23:59:60Z",
  "2024-01-01T10:00:00+02:00",
  "2024-01-01T10:00:00.123456Z",
  "2024-01-01T10:00Z",
  "2024-01-01",
  "0000-01-01T00:00:00Z",
  "0999-12-31T23:59:59Z",
  "1000-01-01T00:00:00Z",
  "2000-02-29T12:00:00Z",
  "2100-02-29T12:00:00Z",
  "2024-00-10T12:00:00Z",
  "2024-13-10T12:00:00Z",
  "2024-06-00T12:00:00Z",
  "2024-06-31T12:00:00Z",
  "2024-07-31T12:00:00Z",
  "2024-12-31T23:59:59.999Z",
  "2024-09-30T07:08:09.5Z",
  "2024-11-30T07:08:09.1239Z",
  "2024-03-01T10:15:30.0012345678Z",
  "2024-03-01T10:15:30.123456789Z",
  "2024-01-01T10:60:00Z",
  new Date("2024-05-05T05:05:05Z"),
  new Date(Number.NaN),
  0,
  3,
  -2,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 60,
  true,
  false,
  [],
  {},
];

const ORDER_FIELDS = Object.keys(baseOrder(seeded(1), 0)).filter((key) => key !== "lines");
const LINE_FIELDS = Object.keys(baseOrder(seeded(1), 0).lines[0]!);

function mutate(order: Mutable, random: () => number): void {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const roll = random();
  // An earlier mutation may have replaced the lines with something that is not a list.
  const lines = Array.isArray(order.lines) ? order.lines.filter((line) => typeof line === "object" && line) : [];
  if (roll < 0.45 || lines.length === 0) {
    order[pick(ORDER_FIELDS)] = pick(EDGE_VALUES);
  } else if (roll < 0.85) {
    pick(lines)[pick(LINE_FIELDS)] = pick(EDGE_VALUES);
  } else if (roll < 0.9) {
    order.lines.push({ ...lines[0]! }); // a duplicate line id
  } else if (roll < 0.95) {
    // eslint-disable-next-line no-sparse-arrays -- a hole, which zod reads as undefined
    const sparse = [, { ...lines[0]! }];
    order.lines = pick([
      [],
      null,
      "lines",
      [null],
      sparse,
      [Object.assign([], lines[0])],
    ]) as unknown as Mutable["lines"];
  } else {
    order.unexpected = "dropped by the schema"; // unknown keys are stripped
  }
}

describe("the canonical order fast path", () => {
  it("returns zod's output or defers to zod, never accepting what zod rejects", () => {
    const random = seeded(20261127);
    let accepted = 0;
    let rejectedByZod = 0;
    for (let n = 0; n < 6000; n++) {
      const order = baseOrder(random, n);
      const mutations = n % 5; // a fifth of the cases stay as the mapper wrote them
      for (let m = 0; m < mutations; m++) mutate(order, random);
      const fast = canonicalOrder(order);
      const zod = OrderRecord.safeParse(order);
      if (!zod.success) rejectedByZod += 1;
      if (fast === undefined) continue;
      accepted += 1;
      expect(zod.success, `case ${n}: ${JSON.stringify(order)}`).toBe(true);
      expect(fast, `case ${n}`).toStrictEqual(zod.data);
    }
    // Both sides of the comparison were exercised: canonical input takes the fast path, and
    // plenty of mutated orders were invalid.
    expect(accepted).toBeGreaterThan(1500);
    expect(rejectedByZod).toBeGreaterThan(1500);
  });

  it("reads every edge-case time as zod does, and takes the UTC ones itself", () => {
    const times = EDGE_VALUES.filter((value): value is string => typeof value === "string" && /^\d{4}-/.test(value));
    const takenByFastPath: string[] = [];
    for (const time of times) {
      const order = baseOrder(seeded(5), 3);
      order.processedAt = time;
      const fast = canonicalOrder(order);
      const zod = OrderRecord.safeParse(order);
      if (fast === undefined) continue;
      takenByFastPath.push(time);
      expect(zod.success, time).toBe(true);
      expect(fast.processedAt.getTime(), time).toBe(zod.data!.processedAt.getTime());
    }
    expect(takenByFastPath).toEqual([
      "2024-02-29T00:00:00Z",
      "2024-01-01T10:00:00.123456Z",
      "1000-01-01T00:00:00Z",
      "2000-02-29T12:00:00Z",
      "2024-07-31T12:00:00Z",
      "2024-12-31T23:59:59.999Z",
      "2024-09-30T07:08:09.5Z",
      "2024-11-30T07:08:09.1239Z",
      "2024-03-01T10:15:30.123456789Z",
    ]);
  });

  it("takes every order the bulk mapper writes, with zod's result", () => {
    // The benchmark's synthetic bulk file, mapped as the backfill maps it: if the mapper's
    // output stopped being canonical, every order would silently go back to zod.
    const nodes = [...orderLines({ orders: 300, customers: 50, products: 20 }, 7).lines].map(
      (line) => JSON.parse(line) as Record<string, unknown>,
    );
    const orders = nodes
      .map((node, index) => ({ node, index }))
      .filter(({ node }) => typeof node.__parentId !== "string")
      .map(({ node, index }) => {
        const children = [];
        for (let next = index + 1; next < nodes.length && typeof nodes[next]!.__parentId === "string"; next++) {
          children.push(nodes[next]!);
        }
        return orderFromBulk(node, children).order;
      });
    expect(orders).toHaveLength(300);
    for (const order of orders) {
      const fast = canonicalOrder(order);
      expect(fast, order.externalId).toBeDefined();
      expect(fast).toStrictEqual(OrderRecord.parse(order));
    }
  });

  it("leaves a rejection to zod, which says why", () => {
    const order = baseOrder(seeded(3), 1);
    order.totalPrice = "12,50";
    const { valid, rejected } = validateAll(OrderRecord, [order], canonicalOrder);
    expect(valid).toEqual([]);
    expect(rejected).toEqual([{ externalId: order.externalId, reasons: [expect.stringMatching(/^totalPrice: /)] }]);
  });

  it("cleans up a valid order that is not canonical through zod", () => {
    const order = baseOrder(seeded(4), 2);
    order.name = "  #1002 ";
    order.processedAt = "2024-03-01T12:15:30+02:00";
    expect(canonicalOrder(order)).toBeUndefined();
    const { valid } = validateAll(OrderRecord, [order], canonicalOrder);
    expect(valid[0]).toMatchObject({ name: "#1002", processedAt: new Date("2024-03-01T10:15:30Z") });
  });
});

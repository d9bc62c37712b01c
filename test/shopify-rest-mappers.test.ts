import { describe, expect, it } from "vitest";

import { mapOrder, mapProduct } from "~/platforms/shopify/rest-mappers";

import { orderPayload, productPayload } from "./fixtures/shopify-webhooks";

const lineOf = (payload: unknown) => mapOrder(payload).order.lines.find((line) => line.kind === "PRODUCT")!;

describe("Shopify REST payloads", () => {
  it("take a line's discount from its discount allocations, which the online store fills", () => {
    const base = orderPayload().line_items[0]!;
    // A 10% discount code on two iPods: total_discount stays 0, the allocation says 39.80.
    const coded = orderPayload({
      line_items: [{ ...base, total_discount: "0.00", discount_allocations: [{ amount: "39.80" }] }],
    });
    expect(lineOf(coded).totalDiscount).toBe("39.8000");
    // Two discounts on one line add up, in the stored precision (three-decimal currencies too).
    const twice = orderPayload({
      line_items: [{ ...base, discount_allocations: [{ amount: "1.005" }, { amount: "2.250" }] }],
    });
    expect(lineOf(twice).totalDiscount).toBe("3.2550");
    // Without allocations (older payloads, some apps) total_discount is all there is.
    expect(lineOf(orderPayload({ line_items: [{ ...base, total_discount: "5.00" }] })).totalDiscount).toBe("5.00");
  });

  it("count stock only for variants whose inventory Shopify tracks", () => {
    const variant = productPayload().variants[0]!;
    const mixed = productPayload({
      variants: [
        { ...variant, inventory_quantity: 4, inventory_management: "shopify" },
        { ...variant, id: 808950811, inventory_quantity: -2, inventory_management: null },
      ],
    });
    expect(mapProduct(mixed).totalInventory).toBe(4);
  });
});

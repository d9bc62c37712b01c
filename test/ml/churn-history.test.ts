import { describe, expect, it } from "vitest";

import { countOrdersBetween, NEVER, orderHistory, snapshot } from "~/ml/churn/history";

// Customer 0: orders on days 10, 10 (same day), 20, 50; customer 1: one order on day 30;
// customer 2: only an order on day 100 (after the cutoffs used below).
const history = orderHistory(3, [0, 1, 0, 2, 0, 0], [50, 30, 10, 100, 10, 20], [40, 5, 10, 7, 0, 30]);

describe("order histories", () => {
  it("groups orders by customer and sorts them by day", () => {
    expect([...history.start]).toEqual([0, 4, 5, 6]);
    expect([...history.day]).toEqual([10, 10, 20, 50, 30, 100]);
    expect([...history.value]).toEqual([10, 0, 30, 40, 5, 7]);
  });

  it("rejects customer indices out of range and ragged columns", () => {
    expect(() => orderHistory(1, [1], [0], [1])).toThrow(RangeError);
    expect(() => orderHistory(1, [0], [0, 1], [1])).toThrow(RangeError);
  });

  it("summarises as of a cutoff, every order a transaction", () => {
    const s = snapshot(history, 60);
    // customer 0: 4 orders -> x = 3 repeat orders (one of them on the first day), t_x = 40, T = 50
    expect(s.orders[0]).toBe(4);
    expect([s.x[0], s.tx[0], s.T[0], s.recency[0]]).toEqual([3, 40, 50, 10]);
    expect(s.totalValue[0]).toBe(80);
    // repeat orders: 0, 30 and 40 -> mean 70 / 3; the first order does not count
    expect(s.meanRepeatValue[0]).toBeCloseTo(70 / 3, 12);
    // gaps between distinct order days 10 and 30: mean 20, sample sd sqrt(200)
    expect(s.meanGap[0]).toBe(20);
    expect(s.sdGap[0]).toBeCloseTo(Math.sqrt(200), 12);
    // windows count orders (not days) with age <= 30 / 90 / 180 days: day 50 is 10 days old
    expect([s.orders30[0], s.orders90[0], s.orders180[0], s.value90[0]]).toEqual([1, 4, 4, 80]);
    // customer 1: a single order -> x = 0, t_x = 0, gaps 0
    expect([s.x[1], s.tx[1], s.T[1], s.meanGap[1], s.sdGap[1], s.meanRepeatValue[1]]).toEqual([0, 0, 30, 0, 0, 0]);
    // customer 2 has not ordered yet
    expect(s.orders[2]).toBe(0);
  });

  it("never looks past the cutoff", () => {
    const s = snapshot(history, 20);
    expect([s.orders[0], s.x[0], s.tx[0], s.T[0], s.recency[0]]).toEqual([2, 1, 0, 10, 10]);
    expect(s.orders[1]).toBe(0);
  });

  it("counts orders or purchase days in a window", () => {
    expect(countOrdersBetween(history, 0, 10, 21, false)).toBe(3);
    expect(countOrdersBetween(history, 0, 10, 21)).toBe(2);
    expect(countOrdersBetween(history, 0, 21, 50)).toBe(0);
    expect(countOrdersBetween(history, 2, 0, 1000)).toBe(1);
  });

  it("applies cancellations and refunds only once they are known", () => {
    // Customer 0: orders on days 10 (worth 50), 20 (worth 40, cancelled on day 35) and 30 (worth
    // 60, refunded 25 on day 32 and 10 on day 50). The order indices below are the caller's.
    const h = orderHistory(1, [0, 0, 0], [30, 10, 20], [60, 50, 40], {
      cancelledDay: [NEVER, NEVER, 35],
      refunds: { order: [0, 0], day: [32, 50], amount: [25, 10] },
    });
    // As known at day 31: all three orders stand, nothing refunded yet.
    const early = snapshot(h, 31, 31);
    expect([early.orders[0], early.totalValue[0]]).toEqual([3, 150]);
    // The same cutoff seen today: the cancellation and both refunds are known.
    const late = snapshot(h, 31);
    expect([late.orders[0], late.totalValue[0], late.x[0], late.tx[0]]).toEqual([2, 75, 1, 20]);
    expect(late.meanRepeatValue[0]).toBe(25);
    // As known at day 40: cancelled order gone, the first refund in, the second not yet.
    const mid = snapshot(h, 41, 41);
    expect([mid.orders[0], mid.totalValue[0]]).toEqual([2, 85]);
    // A cancelled order is not an order in a window either.
    expect(countOrdersBetween(h, 0, 0, 100, false)).toBe(2);
  });

  it("rejects a refund of an order it does not hold", () => {
    expect(() => orderHistory(1, [0], [1], [5], { refunds: { order: [3], day: [2], amount: [1] } })).toThrow(
      RangeError,
    );
  });
});

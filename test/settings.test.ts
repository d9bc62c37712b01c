import { describe, expect, it } from "vitest";

import { readShopSettings } from "~/settings";

describe("shop settings", () => {
  it("fill every section with defaults for a new shop", () => {
    const settings = readShopSettings({});
    expect(settings.churn).toMatchObject({ windowDays: 90, mediumRisk: 0.4, highRisk: 0.7, monthlyDiscountRate: 0.01 });
    expect(settings.forecast).toMatchObject({ horizonDays: 28, productRevenueShare: 0.8, maxProducts: 500 });
    expect(settings.recommendations.listLength).toBe(12);
  });

  it("keep a valid section and replace only an invalid one with its defaults", () => {
    const settings = readShopSettings({
      churn: { mediumRisk: 0.8, highRisk: 0.5 }, // reversed bands: the section falls back
      forecast: { horizonDays: 14 },
    });
    expect(settings.churn).toMatchObject({ mediumRisk: 0.4, highRisk: 0.7 });
    expect(settings.forecast.horizonDays).toBe(14);
  });

  it("read anything unreadable as the defaults", () => {
    expect(readShopSettings(null).churn.windowDays).toBe(90);
    expect(readShopSettings("nonsense").forecast.horizonDays).toBe(28);
  });
});

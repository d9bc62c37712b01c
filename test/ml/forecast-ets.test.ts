import { describe, expect, it } from "vitest";

import {
  admissible,
  autoEts,
  fitEts,
  forecastEts,
  innovationWeights,
  pointForecasts,
  simulatePaths,
  type EtsFit,
  type EtsSpec,
} from "~/ml/forecast/ets";
import { normalQuantile } from "~/ml/forecast/baselines";
import { normalFrom, seededRandom } from "~/ml/random";

// Data and R output: see test/reference/ets_reference.md for every source.
/** fpp2 `window(oil, start = 1996)`: Saudi Arabian oil production 1996-2013 (fpp2 revision). */
const OIL = Float64Array.from([
  445.3641, 453.195, 454.4096, 422.3789, 456.0371, 440.3866, 425.1944, 486.2052, 500.4291, 521.2759, 508.9476, 488.8889,
  509.8706, 456.7229, 473.8166, 525.9509, 549.8338, 542.3405,
]);
/** fpp2 `ausair` 1970-2016, as R prints it (5-7 significant digits). */
const AUSAIR = Float64Array.from([
  7.3187, 7.3266, 7.7956, 9.3846, 10.6647, 11.0551, 10.8643, 11.3065, 12.1223, 13.0225, 13.6488, 13.2195, 13.1879,
  12.6015, 13.2368, 14.4121, 15.4973, 16.8802, 18.8163, 15.1143, 17.5534, 21.8601, 23.8866, 26.9293, 26.8885, 28.8314,
  30.0751, 30.9535, 30.1857, 31.5797, 32.57757, 33.4774, 39.02158, 41.38643, 41.59655, 44.65732, 46.95177, 48.72884,
  51.48843, 50.02697, 60.64091, 63.36031, 66.35527, 68.19795, 68.12324, 69.77935, 72.5977,
]);
/** fpp2 `austourists` 1999Q1-2015Q4 (68 quarters). */
const AUSTOURISTS = Float64Array.from([
  30.05251, 19.1485, 25.31769, 27.59144, 32.07646, 23.48796, 28.47594, 35.12375, 36.83848, 25.00702, 30.72223, 28.69376,
  36.64099, 23.82461, 29.31168, 31.77031, 35.17788, 19.77524, 29.60175, 34.53884, 41.2736, 26.65586, 28.27986, 35.19115,
  42.20566, 24.64917, 32.66734, 37.25735, 45.24246, 29.35048, 36.34421, 41.78208, 49.2766, 31.2754, 37.85063, 38.83704,
  51.2369, 31.83855, 41.32342, 42.799, 55.70836, 33.40714, 42.31664, 45.15712, 59.57608, 34.83733, 44.84168, 46.97125,
  60.01903, 38.37118, 46.97586, 50.7338, 61.64687, 39.29957, 52.67121, 54.33232, 66.83436, 40.87119, 51.82854, 57.49191,
  65.25147, 43.06121, 54.76076, 59.83447, 73.25703, 47.69662, 61.09777, 66.05576,
]);
/** `window(austourists, start = 2005)`: 44 quarters. */
const AUST = AUSTOURISTS.subarray(24);
const AIR = AUSAIR.subarray(20); // window(ausair, start = 1990)
const AUSAIR_TO_2011 = AUSAIR.subarray(0, 42);

const spec = (code: string, period = 1): EtsSpec => {
  const [error, trend, season] = [code[0], code.slice(1, code.length - 1), code[code.length - 1]] as [
    EtsSpec["error"],
    EtsSpec["trend"],
    EtsSpec["season"],
  ];
  return { error, trend, season, period };
};
const rel = (got: number, want: number) => Math.abs(got / want - 1);

/** Evaluates forecast::ets's criterion at R's own parameters and initial states with our filter. */
function atRParameters(
  y: Float64Array,
  code: string,
  period: number,
  r: { alpha: number; beta?: number; gamma?: number; phi?: number; init: number[] },
): EtsFit {
  const s = spec(code, period);
  const hasTrend = s.trend !== "N";
  const [level, ...rest] = r.init;
  return fitEts(y, s, {
    fixed: { alpha: r.alpha, beta: r.beta, gamma: r.gamma, phi: r.phi },
    initial: {
      level: level!,
      slope: hasTrend ? rest[0]! : 0,
      seasonal: Float64Array.from(hasTrend ? rest.slice(1) : rest),
    },
  });
}

describe("ETS fits against R's forecast::ets", () => {
  it("ses(oildata) = ETS(A,N,N): alpha 0.8339, l 446.5868, sigma 29.8282, AIC 178.1430 / AICc 179.8573 / BIC 180.8141 and its 80% intervals", () => {
    const fit = fitEts(OIL, spec("ANN"));
    // Likelihood-based figures to 1e-3 absolute (R prints 4 decimals), parameters to their printed precision.
    expect(fit.aic).toBeCloseTo(178.143, 2);
    expect(fit.aicc).toBeCloseTo(179.8573, 2);
    expect(fit.bic).toBeCloseTo(180.8141, 2);
    expect(Math.abs(fit.params.alpha - 0.8339)).toBeLessThan(1e-3);
    expect(Math.abs(fit.initial.level - 446.5868)).toBeLessThan(0.05);
    expect(rel(Math.sqrt(fit.sigma2), 29.8282)).toBeLessThan(1e-4);
    const fc = forecastEts(fit, 2, 80, seededRandom(1));
    expect(fc.intervalMethod).toBe("analytic");
    // R: 542.6806 [504.4541, 580.9070], then [492.9073, 592.4539]; within 0.01 (2e-5 relative).
    expect(Math.abs(fc.mean[0]! - 542.6806)).toBeLessThan(0.01);
    expect(Math.abs(fc.lower[0]! - 504.4541)).toBeLessThan(0.01);
    expect(Math.abs(fc.upper[0]! - 580.907)).toBeLessThan(0.01);
    expect(Math.abs(fc.lower[1]! - 492.9073)).toBeLessThan(0.01);
    expect(Math.abs(fc.upper[1]! - 592.4539)).toBeLessThan(0.01);
  });

  it("holt(air) = ETS(A,A,N): AIC 141.1291 in R; ours is as good or better, with forecasts and intervals within 0.05", () => {
    const fit = fitEts(AIR, spec("AAN"));
    // R: alpha 0.8302, beta 1e-4, l 15.5715, b 2.1017, sigma 2.3645. Our optimum is 0.017 lower
    // in AIC (alpha 0.821, l 15.85): a flat ridge between alpha and l0, so parameters agree to ~1e-2 and 0.3.
    expect(fit.aic).toBeLessThanOrEqual(141.1291 + 1e-3);
    expect(fit.aic).toBeGreaterThan(141.1291 - 0.15);
    expect(Math.abs(fit.params.alpha - 0.8302)).toBeLessThan(0.02);
    expect(fit.params.beta).toBeCloseTo(1e-4, 6);
    expect(Math.abs(fit.initial.slope - 2.1017)).toBeLessThan(0.01);
    expect(Math.abs(fit.initial.level - 15.5715)).toBeLessThan(0.5);
    expect(rel(Math.sqrt(fit.sigma2), 2.3645)).toBeLessThan(1e-3);
    const fc = forecastEts(fit, 2, 80, seededRandom(1));
    // R: 74.60130 [71.57106, 77.63154], 76.70304 [72.76440, 80.64169].
    expect(Math.abs(fc.mean[0]! - 74.6013)).toBeLessThan(0.05);
    expect(Math.abs(fc.lower[0]! - 71.57106)).toBeLessThan(0.05);
    expect(Math.abs(fc.upper[0]! - 77.63154)).toBeLessThan(0.05);
    expect(Math.abs(fc.mean[1]! - 76.70304)).toBeLessThan(0.05);
    expect(Math.abs(fc.upper[1]! - 80.64169)).toBeLessThan(0.05);
  });

  it("ets(ausair to 2011) selects ETS(M,A,N) with AIC 206.1828 / AICc 207.8495 / BIC 214.8712, alpha 0.9999, beta 0.024", () => {
    const auto = autoEts(AUSAIR_TO_2011, { period: 1, horizon: 5, random: seededRandom(1) });
    expect(auto.model).toBe("ETS(M,A,N)");
    const fit = auto.fit!;
    expect(Math.abs(fit.aic - 206.1828)).toBeLessThan(0.01);
    expect(Math.abs(fit.aicc - 207.8495)).toBeLessThan(0.01);
    expect(Math.abs(fit.bic - 214.8712)).toBeLessThan(0.01);
    expect(fit.params.alpha).toBeCloseTo(0.9999, 4);
    expect(Math.abs(fit.params.beta - 0.024)).toBeLessThan(1e-3);
    expect(Math.abs(fit.initial.level - 6.5399)).toBeLessThan(0.01);
    expect(Math.abs(fit.initial.slope - 0.7358)).toBeLessThan(0.005);
    expect(Math.abs(Math.sqrt(fit.sigma2) - 0.08)).toBeLessThan(5e-4);
  });

  it("ets(window(austourists, start = 2005)): our filter reproduces R's AIC 224.8628 at R's printed ETS(M,A,M) fit, our own fit is better, and selection picks ETS(M,A,M) too", () => {
    // R: alpha 0.1908, beta 0.0392, gamma 2e-4, l 32.3679, b 0.9281, s 1.0218 0.9628 0.7683 1.2471.
    const atR = atRParameters(AUST, "MAM", 4, {
      alpha: 0.1908,
      beta: 0.0392,
      gamma: 0.0002,
      init: [32.3679, 0.9281, 1.0218, 0.9628, 0.7683, 1.2471],
    });
    // R counts 9 parameters; atR estimated none, so add R's 2 x 8 back. Within 0.01 (4-digit inputs).
    expect(Math.abs(atR.lik + 2 * 9 - 224.8628)).toBeLessThan(0.01);
    const ours = fitEts(AUST, spec("MAM", 4));
    // Higher likelihood than R's: R's Nelder-Mead stopped at alpha 0.19; the optimum is near alpha
    // 0.35-0.44 (forecast's own hw(aust, "multiplicative") reports alpha 0.4406, gamma 0.0023).
    expect(ours.aic).toBeLessThan(224.8628);
    expect(Math.abs(ours.initial.seasonal[0]! - 1.0218)).toBeLessThan(0.01);
    expect(Math.abs(ours.initial.seasonal[3]! - 1.2471)).toBeLessThan(0.01);
    const auto = autoEts(AUST, { period: 4, horizon: 8, random: seededRandom(3) });
    expect(auto.model).toBe("ETS(M,A,M)");
    expect(auto.intervalMethod).toBe("simulated");
  });

  it("hw(aust) = ETS(A,A,A): sigma 1.949 in R, ours at most that (same parameter count, so the same criterion)", () => {
    const fit = fitEts(AUST, spec("AAA", 4));
    expect(Math.sqrt(fit.sigma2)).toBeLessThan(1.949 + 5e-4);
    expect(Math.abs(fit.params.gamma - 0.4263)).toBeLessThan(0.02);
    expect(Math.abs(fit.initial.seasonal[3]! - 9.696)).toBeLessThan(0.5);
  });

  // statsmodels' record of forecast::ets on the full austourists series (68 quarters), 8 digits:
  // R's parameters and initial states through our filter reproduce R's fitted values, sigma2
  // and 4-step forecasts, which pins every update equation of the three forms.
  const R_FULL = [
    {
      code: "AAdA",
      alpha: 0.35445427,
      beta: 0.03200749,
      gamma: 0.39993387,
      phi: 0.97999997,
      init: [24.01278357, 0.97770147, 1.76951063, -0.50735902, -6.61171798, 5.34956637],
      sigma2: 6.0830734,
      fitted: [30.32049735, 19.19480328, 26.19326277],
      last: [62.00340579, 0.70652496, 3.58786407, -0.07474503, -11.75693566, 13.38188051],
      forecast: [76.07768073, 51.61741109, 63.96457729, 68.27886241],
    },
    {
      code: "MAdA",
      alpha: 0.31114284,
      beta: 0.04721388,
      gamma: 0.30950232,
      phi: 0.8708892,
      init: [21.67128194, 1.98691433, 1.03750831, -1.37168288, -6.10365176, 6.43782633],
      sigma2: 0.00470153,
      fitted: [29.8394905, 18.88002311, 25.02659763],
      last: [59.29023429, 0.62538316, 5.66660225, 2.16097312, -9.20020909, 15.35058016],
      forecast: [75.18545389, 51.10898524, 62.88324814, 66.74862479],
    },
    {
      code: "MAdM",
      alpha: 0.48397584,
      beta: 0.00351728,
      gamma: 0.0001131,
      phi: 0.98,
      init: [23.54623801, 0.7983291, 1.0353059, 0.96050633, 0.77007856, 1.2341092],
      sigma2: 0.00361294,
      fitted: [30.02414979, 19.33399138, 24.7239777],
      last: [63.00427075, 0.27503516, 1.0353167, 0.96051568, 0.7700861, 1.23412213],
      forecast: [78.09439198, 48.93807849, 61.29337201, 66.33465147],
    },
  ];
  for (const r of R_FULL) {
    it(`the filter at R's ETS(${r.code[0]},Ad,${r.code[3]}) fit of austourists reproduces R's fitted values, sigma2, final states and forecasts`, () => {
      const fit = atRParameters(AUSTOURISTS, r.code, 4, r);
      for (let t = 0; t < r.fitted.length; t++) expect(rel(fit.fitted[t]!, r.fitted[t]!)).toBeLessThan(1e-6);
      // R divides by n - 9 (the nine estimated parameters); atR estimated none.
      let sse = 0;
      for (const e of fit.residuals) sse += e * e;
      expect(rel(sse / (68 - 9), r.sigma2)).toBeLessThan(1e-5);
      // States after the 68th quarter (R's last row of fit$states), absolute 1e-6 (R's 8 decimals, 4 digits of gamma).
      const last = [fit.last.level, fit.last.slope, ...fit.last.seasonal];
      for (let i = 0; i < 6; i++) expect(Math.abs(last[i]! - r.last[i]!)).toBeLessThan(5e-6);
      // forecast(fit)$mean is the point forecast for additive seasons; for ETS(M,Ad,M) R reports
      // HKOS's class-3 mean, which adds a second-order correction (78.0944 vs our 78.0876, 9e-5).
      const mean = pointForecasts(fit.spec, fit.params, fit.last, 4);
      const tol = r.code === "MAdM" ? 5e-4 : 1e-6;
      for (let h = 0; h < 4; h++) expect(rel(mean[h]!, r.forecast[h]!)).toBeLessThan(tol);
    });
  }

  it("our ETS(M,Ad,M) fit of the full austourists reaches R's likelihood (within 0.05%, here slightly better)", () => {
    const atR = atRParameters(AUSTOURISTS, "MAdM", 4, R_FULL[2]!);
    const ours = fitEts(AUSTOURISTS, spec("MAdM", 4));
    expect(ours.lik).toBeLessThan(atR.lik + 0.0005 * Math.abs(atR.lik));
  });
});

describe("ETS prediction intervals", () => {
  it("ETS(A,N,N): the analytic variance is sigma^2 (1 + (h - 1) alpha^2)", () => {
    const fit = fitEts(OIL, spec("ANN"));
    const fc = forecastEts(fit, 6, 80, seededRandom(1));
    const a = fit.params.alpha;
    for (let h = 1; h <= 6; h++)
      expect(rel(fc.variance[h - 1]!, fit.sigma2 * (1 + (h - 1) * a * a))).toBeLessThan(1e-12);
    const z = normalQuantile(0.9);
    expect(rel(fc.upper[2]! - fc.mean[2]!, z * Math.sqrt(fc.variance[2]!))).toBeLessThan(1e-12);
  });

  it("innovation weights c_j = w'F^(j-1)g match the closed forms (ETS(A,Ad,A): alpha + beta(phi + ... + phi^j) + gamma [j mod m = 0])", () => {
    const [alpha, beta, gamma, phi, m] = [0.3, 0.05, 0.2, 0.9, 4];
    const c = innovationWeights({ error: "A", trend: "Ad", season: "A", period: m }, alpha, beta, gamma, phi, 10);
    for (let j = 1; j <= 10; j++) {
      let phiSum = 0;
      for (let i = 1; i <= j; i++) phiSum += phi ** i;
      expect(c[j - 1]!).toBeCloseTo(alpha + beta * phiSum + (j % m === 0 ? gamma : 0), 12);
    }
  });

  it("intervals widen with the horizon (analytic and simulated)", () => {
    for (const [code, period] of [
      ["AAA", 4],
      ["MAN", 1],
      ["MAM", 4],
    ] as const) {
      const fit = fitEts(AUST, spec(code, period));
      const fc = forecastEts(fit, 12, 80, seededRandom(5));
      // Compare steps a whole season apart, so the seasonal swing of the level does not interfere.
      for (let h = 4; h < 12; h++) {
        expect(fc.upper[h]! - fc.lower[h]!).toBeGreaterThan(fc.upper[h - 4]! - fc.lower[h - 4]!);
      }
    }
  });

  it("simulated and analytic intervals agree within Monte-Carlo error on a class-1 model (ETS(A,A,N))", () => {
    const fit = fitEts(AIR, spec("AAN"));
    const analytic = forecastEts(fit, 8, 80, seededRandom(1));
    const simulated = forecastEts(fit, 8, 80, seededRandom(2), { simulate: true, paths: 40000 });
    expect(simulated.intervalMethod).toBe("simulated");
    for (let h = 0; h < 8; h++) {
      // SE of a 10% / 90% sample quantile: sqrt(0.09 / N) / phi(1.2816) sd = 0.0085 sd at N = 40,000; allow 5 SE.
      const tol = 5 * 0.0085 * Math.sqrt(analytic.variance[h]!);
      expect(Math.abs(simulated.lower[h]! - analytic.lower[h]!)).toBeLessThan(tol);
      expect(Math.abs(simulated.upper[h]! - analytic.upper[h]!)).toBeLessThan(tol);
    }
  });

  it("class 2 (ETS(M,N,N)): simulated paths have the analytic mean and variance within Monte-Carlo error", () => {
    // The class-2 future is skewed (a product of normals), so its quantiles are not the normal
    // approximation's; its first two moments are exact (HKOS ch. 6), so those are what we compare.
    const fit = fitEts(OIL, spec("MNN"));
    const analytic = forecastEts(fit, 8, 80, seededRandom(1));
    const paths = 40000;
    const values = simulatePaths(fit, 8, paths, seededRandom(2));
    for (let h = 0; h < 8; h++) {
      let mean = 0;
      for (let i = 0; i < paths; i++) mean += values[h * paths + i]!;
      mean /= paths;
      let ss = 0;
      for (let i = 0; i < paths; i++) ss += (values[h * paths + i]! - mean) ** 2;
      const variance = ss / (paths - 1);
      const v = analytic.variance[h]!;
      // SE of the mean 0.005 sd, of the variance ~0.7% (sqrt(2 / N)); allow 6 SE.
      expect(Math.abs(mean - analytic.mean[h]!)).toBeLessThan(0.03 * Math.sqrt(v));
      expect(rel(variance, v)).toBeLessThan(0.045);
    }
  });

  it("the same seed gives identical simulated intervals, another seed different ones", () => {
    const fit = fitEts(AUST, spec("MAM", 4));
    const a = forecastEts(fit, 8, 90, seededRandom(42));
    const b = forecastEts(fit, 8, 90, seededRandom(42));
    const c = forecastEts(fit, 8, 90, seededRandom(43));
    expect(Array.from(a.lower)).toEqual(Array.from(b.lower));
    expect(Array.from(a.upper)).toEqual(Array.from(b.upper));
    expect(Array.from(a.upper)).not.toEqual(Array.from(c.upper));
  });
});

describe("autoEts on degenerate and synthetic series", () => {
  const random = seededRandom(9);
  it("a constant series forecasts the constant with zero-width intervals; zeros stay zero", () => {
    for (const value of [12.5, 0]) {
      const fc = autoEts(new Float64Array(60).fill(value), { period: 7, horizon: 14, random });
      expect(fc.model).toBe("constant");
      for (let h = 0; h < 14; h++) {
        expect(fc.mean[h]).toBe(value);
        expect(fc.lower[h]).toBe(value);
        expect(fc.upper[h]).toBe(value);
      }
    }
  });

  it("very short series fall back (mean, SES, no season) without throwing or NaN", () => {
    const cases: [number[], number, string][] = [
      [[5], 7, "constant"],
      [[3, 7, 5], 7, "mean"],
      [[3, 7, 5, 6, 4, 8, 5, 7], 7, "ETS("],
    ];
    for (const [values, period, model] of cases) {
      const fc = autoEts(Float64Array.from(values), { period, horizon: 5, random });
      expect(fc.model.startsWith(model)).toBe(true);
      if (fc.fit) expect(fc.fit.spec.season).toBe("N");
      for (const v of [...fc.mean, ...fc.lower, ...fc.upper]) expect(Number.isFinite(v)).toBe(true);
    }
    // Three weeks of daily data: too short for a weekly season (2m + 4 = 18 points needed): non-seasonal.
    const normal = normalFrom(seededRandom(4));
    const short = Float64Array.from({ length: 17 }, (_, t) => 50 + 10 * Math.sin((2 * Math.PI * t) / 7) + normal());
    const fc = autoEts(short, { period: 7, horizon: 7, random });
    expect(fc.fit!.spec.season).toBe("N");
    // With zeros: no multiplicative forms are tried.
    const withZero = Float64Array.from({ length: 40 }, (_, t) => (t % 5 === 0 ? 0 : 5 + normal()));
    const z = autoEts(withZero, { period: 7, horizon: 7, random });
    expect(z.candidates.every((c) => !c.model.startsWith("ETS(M") && !c.model.endsWith("M)"))).toBe(true);
  });

  it("AICc picks a seasonal form on a clearly seasonal series and a non-seasonal one on white noise", () => {
    const normal = normalFrom(seededRandom(10));
    const weekly = [1.4, 1.1, 0.9, 0.8, 0.9, 1.2, 0.7];
    const seasonal = Float64Array.from({ length: 365 }, (_, t) => 100 * weekly[t % 7]! + 4 * normal());
    const s = autoEts(seasonal, { period: 7, horizon: 14, random });
    expect(s.fit!.spec.season).not.toBe("N");
    const noise = Float64Array.from({ length: 365 }, () => 100 + 5 * normal());
    const w = autoEts(noise, { period: 7, horizon: 14, random });
    expect(w.fit!.spec.season).toBe("N");
    expect(w.fit!.spec.trend).toBe("N");
  });

  it("rejects bad input with RangeError", () => {
    expect(() => autoEts(new Float64Array(0), { period: 7, horizon: 3, random })).toThrow(RangeError);
    expect(() => autoEts(Float64Array.from([1, NaN, 2]), { period: 7, horizon: 3, random })).toThrow(RangeError);
    expect(() => autoEts(Float64Array.from([1, 2, 3]), { period: 0, horizon: 3, random })).toThrow(RangeError);
    expect(() => autoEts(Float64Array.from([1, 2, 3]), { period: 7, horizon: 0, random })).toThrow(RangeError);
    expect(() => autoEts(Float64Array.from([1, 2, 3]), { period: 7, horizon: 3, level: 0.8, random })).toThrow(
      RangeError,
    );
    expect(() => fitEts(Float64Array.from([1, 2, 0, 4, 5, 6, 7, 8, 9, 10]), spec("MNN"))).toThrow(RangeError);
    expect(() => fitEts(Float64Array.from([1, 2, 3, 4, 5]), spec("AAN"))).toThrow(RangeError);
  });
});

describe("admissibility", () => {
  it("agrees with the eigenvalues of the discount matrix (numpy, test/reference/ets_reference.md)", () => {
    // Spectral radius of D = F - g w' without its unit root (numpy.linalg.eigvals):
    // ETS(A,Ad,A), m = 4, phi 0.95: (alpha, beta, gamma) = (0.5, 0.1, 0.3) -> 0.8902, (0.9, 0.1, 0.9)
    // -> 0.9910 (outside the usual region, still admissible), (0.5, 0.1, 1.6) -> 1.0579;
    // ETS(A,N,A), m = 7: (0.3, 0.2) -> 0.9677, (0.3, 1.9) -> 1.0300.
    const s = spec("AAdA", 4);
    expect(admissible(s, { alpha: 0.5, beta: 0.1, gamma: 0.3, phi: 0.95 })).toBe(true);
    expect(admissible(s, { alpha: 0.9, beta: 0.1, gamma: 0.9, phi: 0.95 })).toBe(true);
    expect(admissible(s, { alpha: 0.5, beta: 0.1, gamma: 1.6, phi: 0.95 })).toBe(false);
    expect(admissible(spec("ANA", 7), { alpha: 0.3, beta: 0, gamma: 0.2, phi: 1 })).toBe(true);
    expect(admissible(spec("ANA", 7), { alpha: 0.3, beta: 0, gamma: 1.9, phi: 1 })).toBe(false);
  });
});

/**
 * Loads the 2,357-customer CDNOW sample of Fader, Hardie & Lee (2005), "Counting your customers
 * the easy way", and turns it into the per-customer summaries of EVALUATION.md protocol C2, in
 * weeks: the input of the BG/NBD and Gamma-Gamma tests (test/ml/churn-*.test.ts) and of a C2
 * benchmark.
 *
 * The file: test/fixtures/cdnow_sample.txt.gz, byte-identical to shared/data/cdnow_sample.txt.gz
 * (sha256 of the .gz 5acfc85900e7fd346702395083244873ae3f156a3dcad1547b4ae723262bdad2).
 * Whitespace-separated, CRLF, no header; columns: sample customer id, master customer id,
 * date YYYYMMDD, number of CDs, dollar value. 6,919 rows.
 *
 * Protocol C2, as implemented:
 * - purchases on the same calendar day are one transaction, its value the sum of the rows;
 * - calibration = purchases on 1997-01-01 .. 1997-09-30 inclusive, but T is measured to
 *   1997-09-30 00:00, i.e. 272 days = 38.857 weeks after 1997-01-01: the paper's T for a
 *   customer who first bought on 1997-01-01 is 38.86, not 39 (its worked example, x = 2,
 *   t_x = 30.43, T = 38.86, is such a customer). Only this choice reproduces the paper: the fit
 *   gives r 0.2426, alpha 4.4136, a 0.7929, b 2.4259, LL -9582.429 (paper: 0.243, 4.414, 0.793,
 *   2.426, -9582.4). Measuring T to 1997-10-01 00:00 (a literal "39 weeks") gives r 0.2417,
 *   alpha 4.3938, a 0.8145, b 2.4772, LL -9589.89; ending the purchases on 1997-09-29 gives
 *   LL -9528.55. A purchase on 1997-09-30 itself thus has t_x = T, which the model allows;
 * - holdoutTransactions = transactions from 1997-10-01 to 1998-06-30 inclusive (weeks 40-78
 *   of the cohort's 78; 1,882 in all, as EVALUATION.md states);
 * - x = calibration transactions after the first, tx = weeks from the first to the last
 *   calibration transaction (0 when x = 0), T = weeks from the first transaction to the end;
 *   all customers made their first purchase in 1997 Q1, so all are in the calibration cohort;
 * - meanSpend = mean value of the repeat calibration transactions (the first is excluded, as in
 *   Fader & Hardie's Gamma-Gamma note), 0 when x = 0;
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export const CDNOW_SAMPLE_FILE = new URL("../../test/fixtures/cdnow_sample.txt.gz", import.meta.url).pathname;

export interface CdnowRfm {
  /** Sample customer ids (the file's first column), in ascending order; arrays below follow it. */
  ids: string[];
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  meanSpend: Float64Array;
  holdoutTransactions: Float64Array;
}

/** Days since 1970-01-01 of a YYYYMMDD date (Date.UTC as calendar arithmetic only). */
function dayOf(yyyymmdd: string): number {
  if (!/^\d{8}$/.test(yyyymmdd)) throw new Error(`bad CDNOW date "${yyyymmdd}"`);
  const y = +yyyymmdd.slice(0, 4);
  const m = +yyyymmdd.slice(4, 6);
  const d = +yyyymmdd.slice(6, 8);
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

const CALIBRATION_END = dayOf("19971001"); // purchases before this day are calibration
const T_END = dayOf("19970930"); // T is measured to 1997-09-30 00:00 (see the file comment)
const HOLDOUT_END = dayOf("19980701"); // exclusive: through 1998-06-30

/**
 * Reads the file and computes the C2 summaries. O(rows log rows); a few milliseconds.
 * @throws Error on a malformed row: every row counts towards the reference figures.
 */
export function loadCdnowSample(file = CDNOW_SAMPLE_FILE): CdnowRfm {
  const text = gunzipSync(readFileSync(file)).toString("latin1");
  // Per customer: value per purchase day (same-day rows merge into one transaction).
  const byCustomer = new Map<string, Map<number, number>>();
  for (const line of text.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === "") continue;
    if (fields.length !== 5) throw new Error(`bad CDNOW row "${line}"`);
    const [id, , date, , dollars] = fields as [string, string, string, string, string];
    const value = Number(dollars);
    if (!Number.isFinite(value)) throw new Error(`bad CDNOW value in "${line}"`);
    let days = byCustomer.get(id);
    if (!days) byCustomer.set(id, (days = new Map()));
    const day = dayOf(date);
    days.set(day, (days.get(day) ?? 0) + value);
  }
  const ids = [...byCustomer.keys()].sort();
  const n = ids.length;
  const out: CdnowRfm = {
    ids,
    x: new Float64Array(n),
    tx: new Float64Array(n),
    T: new Float64Array(n),
    meanSpend: new Float64Array(n),
    holdoutTransactions: new Float64Array(n),
  };
  ids.forEach((id, i) => {
    const days = [...byCustomer.get(id)!.entries()].sort((p, q) => p[0] - q[0]);
    const first = days[0]![0];
    if (first >= CALIBRATION_END) throw new Error(`customer ${id} first bought after the calibration period`);
    let last = first;
    let repeats = 0;
    let repeatValue = 0;
    let holdout = 0;
    for (let k = 1; k < days.length; k++) {
      const [day, value] = days[k]!;
      if (day < CALIBRATION_END) {
        repeats++;
        repeatValue += value;
        last = day;
      } else if (day < HOLDOUT_END) {
        holdout++;
      }
    }
    out.x[i] = repeats;
    out.tx[i] = (last - first) / 7;
    out.T[i] = (T_END - first) / 7;
    out.meanSpend[i] = repeats > 0 ? repeatValue / repeats : 0;
    out.holdoutTransactions[i] = holdout;
  });
  return out;
}

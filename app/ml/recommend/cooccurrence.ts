/**
 * Item co-occurrence counts over the rows of a sparse matrix (customers for item-kNN, orders
 * for bought-together), one item at a time: walk the rows holding item a, count every item in
 * them into a dense accumulator, remember which entries were touched, report and clear only
 * those. O(sum over a's rows of their length) per item and O(items) memory, instead of an
 * items x items matrix.
 */
import { transpose, type CsrMatrix } from "../sparse";

export class Cooccurrence {
  private readonly itemRows: CsrMatrix;
  private readonly counts: Float64Array;
  private readonly touched: Int32Array;

  /** @param rowItems rows x items; stored entries mark presence, values are ignored. */
  constructor(private readonly rowItems: CsrMatrix) {
    this.itemRows = transpose(rowItems);
    this.counts = new Float64Array(rowItems.cols);
    this.touched = new Int32Array(rowItems.cols);
  }

  /** Rows that hold `item`. */
  rowsWith(item: number): number {
    return this.itemRows.indptr[item + 1]! - this.itemRows.indptr[item]!;
  }

  /** Calls visit(b, rows holding both a and b) for every b sharing a row with a (a included). */
  forEachPartner(a: number, visit: (b: number, together: number) => void): void {
    const { rowItems, itemRows, counts, touched } = this;
    let size = 0;
    for (let p = itemRows.indptr[a]!; p < itemRows.indptr[a + 1]!; p++) {
      const row = itemRows.indices[p]!;
      for (let q = rowItems.indptr[row]!; q < rowItems.indptr[row + 1]!; q++) {
        const b = rowItems.indices[q]!;
        if (counts[b] === 0) touched[size++] = b;
        counts[b]!++;
      }
    }
    for (let t = 0; t < size; t++) {
      const b = touched[t]!;
      visit(b, counts[b]!);
      counts[b] = 0;
    }
  }
}

/**
 * Compressed sparse row matrices over float32 values: the one sparse format the ML code
 * shares. Row r's entries are `indices[indptr[r] .. indptr[r+1])` with `values` alongside,
 * column indices ascending within a row.
 */
export interface CsrMatrix {
  rows: number;
  cols: number;
  /** rows + 1 offsets into indices/values. */
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/**
 * Builds a CSR matrix from coordinate triples. Duplicate (row, col) pairs are summed.
 * O(nnz + rows) time by counting sort on rows, then a sort of each row's columns.
 * @throws RangeError when an index lies outside the given shape.
 */
export function csrFromTriples(
  rows: number,
  cols: number,
  rowIndex: ArrayLike<number>,
  colIndex: ArrayLike<number>,
  value: ArrayLike<number>,
): CsrMatrix {
  const n = rowIndex.length;
  if (colIndex.length !== n || value.length !== n) throw new RangeError("triples must have equal lengths");
  const counts = new Int32Array(rows + 1);
  for (let k = 0; k < n; k++) {
    const r = rowIndex[k]!;
    const c = colIndex[k]!;
    if (!(r >= 0 && r < rows && c >= 0 && c < cols)) throw new RangeError(`entry (${r}, ${c}) outside ${rows}x${cols}`);
    counts[r + 1]!++;
  }
  for (let r = 0; r < rows; r++) counts[r + 1]! += counts[r]!;
  const next = counts.slice(0, rows);
  const indices = new Int32Array(n);
  const values = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const slot = next[rowIndex[k]!]!++;
    indices[slot] = colIndex[k]!;
    values[slot] = value[k]!;
  }
  return sumDuplicates(sortRows({ rows, cols, indptr: counts, indices, values }));
}

/** Sorts each row's entries by column (insertion sort: rows are short and usually sorted already). */
function sortRows(m: CsrMatrix): CsrMatrix {
  const { indptr, indices, values } = m;
  for (let r = 0; r < m.rows; r++) {
    for (let i = indptr[r]! + 1; i < indptr[r + 1]!; i++) {
      const col = indices[i]!;
      const val = values[i]!;
      let j = i - 1;
      while (j >= indptr[r]! && indices[j]! > col) {
        indices[j + 1] = indices[j]!;
        values[j + 1] = values[j]!;
        j--;
      }
      indices[j + 1] = col;
      values[j + 1] = val;
    }
  }
  return m;
}

function sumDuplicates(m: CsrMatrix): CsrMatrix {
  const { indptr, indices, values } = m;
  let write = 0;
  let start = 0;
  for (let r = 0; r < m.rows; r++) {
    const end = indptr[r + 1]!;
    const rowStart = write;
    for (let i = start; i < end; i++) {
      if (write > rowStart && indices[write - 1] === indices[i]) {
        values[write - 1]! += values[i]!;
      } else {
        indices[write] = indices[i]!;
        values[write] = values[i]!;
        write++;
      }
    }
    start = end;
    indptr[r + 1] = write;
  }
  if (write === indices.length) return m;
  return { ...m, indptr, indices: indices.slice(0, write), values: values.slice(0, write) };
}

/** The transpose as CSR (equivalently, the CSC form of `m`). O(nnz + cols). */
export function transpose(m: CsrMatrix): CsrMatrix {
  const nnz = m.indptr[m.rows]!;
  const indptr = new Int32Array(m.cols + 1);
  for (let k = 0; k < nnz; k++) indptr[m.indices[k]! + 1]!++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1]! += indptr[c]!;
  const next = indptr.slice(0, m.cols);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  // Rows are visited in order, so each transposed row comes out sorted.
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      const slot = next[m.indices[k]!]!++;
      indices[slot] = r;
      values[slot] = m.values[k]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values };
}

/** Number of stored entries. */
export const nnz = (m: CsrMatrix): number => m.indptr[m.rows]!;

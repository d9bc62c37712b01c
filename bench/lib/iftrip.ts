/**
 * The IFTRIP01 exchange format for interaction matrices (EVALUATION.md), so the very same
 * matrix can be given to Foresight and to a reference library. Little-endian: 8-byte magic
 * "IFTRIP01", int64 users, int64 items, int64 nnz, then int32 user[nnz], int32 item[nnz],
 * float32 value[nnz], 0-based ids.
 */
import fs from "node:fs";

import { csrFromTriples, type CsrMatrix } from "../../app/ml/sparse";

const MAGIC = "IFTRIP01";
const HEADER = 32;
/** Entries per write when expanding row ids, so writing L needs no 80 MB temporary. */
const CHUNK = 1 << 20;

function writeAll(fd: number, view: ArrayBufferView, position: number): number {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
  return position + done;
}

function readAll(fd: number, view: ArrayBufferView, position: number): number {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let done = 0;
  while (done < bytes.length) {
    const got = fs.readSync(fd, bytes, done, bytes.length - done, position + done);
    if (got === 0) throw new Error(`IFTRIP01 file ends early at byte ${position + done}`);
    done += got;
  }
  return position + done;
}

/** Writes a CSR matrix as IFTRIP01 triples in row order. */
export function writeIftrip(file: string, m: CsrMatrix): void {
  const nnz = m.indptr[m.rows]!;
  const header = Buffer.alloc(HEADER);
  header.write(MAGIC, 0, "latin1");
  header.writeBigInt64LE(BigInt(m.rows), 8);
  header.writeBigInt64LE(BigInt(m.cols), 16);
  header.writeBigInt64LE(BigInt(nnz), 24);
  const fd = fs.openSync(file, "w");
  try {
    let at = writeAll(fd, header, 0);
    const rowIds = new Int32Array(Math.min(CHUNK, Math.max(1, nnz)));
    let row = 0;
    for (let start = 0; start < nnz; start += rowIds.length) {
      const end = Math.min(start + rowIds.length, nnz);
      for (let k = start; k < end; k++) {
        while (m.indptr[row + 1]! <= k) row++;
        rowIds[k - start] = row;
      }
      at = writeAll(fd, rowIds.subarray(0, end - start), at);
    }
    at = writeAll(fd, m.indices.subarray(0, nnz), at);
    writeAll(fd, m.values.subarray(0, nnz), at);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads an IFTRIP01 file into CSR. Triples already sorted by user then item (as the format's
 * producers write them) become CSR without a copy of the item and value arrays; anything else
 * goes through csrFromTriples, which sorts and sums duplicates.
 * @throws Error on a bad magic number or a truncated file; RangeError on ids out of range.
 */
export function readIftrip(file: string): CsrMatrix {
  const fd = fs.openSync(file, "r");
  try {
    const header = Buffer.alloc(HEADER);
    readAll(fd, header, 0);
    if (header.toString("latin1", 0, 8) !== MAGIC) throw new Error(`${file} is not an IFTRIP01 file`);
    const users = Number(header.readBigInt64LE(8));
    const items = Number(header.readBigInt64LE(16));
    const nnz = Number(header.readBigInt64LE(24));
    const user = new Int32Array(nnz);
    const item = new Int32Array(nnz);
    const value = new Float32Array(nnz);
    let at = readAll(fd, user, HEADER);
    at = readAll(fd, item, at);
    readAll(fd, value, at);
    let sorted = true;
    for (let k = 0; k < nnz && sorted; k++) {
      const u = user[k]!;
      const i = item[k]!;
      if (!(u >= 0 && u < users && i >= 0 && i < items))
        throw new RangeError(`entry (${u}, ${i}) outside ${users}x${items}`);
      if (k > 0 && (u < user[k - 1]! || (u === user[k - 1]! && i <= item[k - 1]!))) sorted = false;
    }
    if (!sorted) return csrFromTriples(users, items, user, item, value);
    const indptr = new Int32Array(users + 1);
    for (let k = 0; k < nnz; k++) indptr[user[k]! + 1]!++;
    for (let u = 0; u < users; u++) indptr[u + 1]! += indptr[u]!;
    return { rows: users, cols: items, indptr, indices: item, values: value };
  } finally {
    fs.closeSync(fd);
  }
}

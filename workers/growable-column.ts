/**
 * A typed-array column that doubles when full: what the COPY loaders stream rows into, so a
 * million rows cost one typed array per column, not a million boxed numbers.
 */
type TypedArray = Int32Array | Float64Array;

export class GrowableColumn<A extends TypedArray> {
  private data: A;
  length = 0;

  constructor(private readonly make: (size: number) => A) {
    this.data = make(1 << 16);
  }

  push(value: number) {
    if (this.length === this.data.length) {
      const grown = this.make(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  /** A right-sized copy of what was pushed. */
  toArray(): A {
    return this.data.slice(0, this.length) as A;
  }
}

export const int32Column = () => new GrowableColumn((size) => new Int32Array(size));
export const float64Column = () => new GrowableColumn((size) => new Float64Array(size));

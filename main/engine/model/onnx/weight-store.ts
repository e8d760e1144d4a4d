// The model's weights, held once. Each use of a float initializer by a node gets its own cell (so re-initializing
// one module never changes another that happened to share a de-duplicated initializer), and cells of the same
// initializer in the same layout start out sharing one tensor's data (a reshaped handle shares the data, no copy). A
// layout conversion (OIHW -> HWIO) is done once at load; derived forms (a [C, 1, 1] scale laid out for a
// channels-last product) are memoized per cell and recomputed only after a write.
import { tf } from '../../tf';
import { alias } from './layout';

export class WeightCell {
  private memo = new Map<string, { source: tf.Tensor; value: tf.Tensor }>();

  constructor(
    /** The initializer this cell was loaded from. */
    readonly initializer: string,
    private current: tf.Tensor,
  ) {}

  get tensor(): tf.Tensor {
    return this.current;
  }

  /** Takes its own reference to `value` (shared data, no copy) and drops the previous one. */
  write(value: tf.Tensor): void {
    if (value === this.current) return;
    const next = tf.keep(alias(value));
    this.current.dispose();
    this.current = next;
  }

  /** `make(weight)` computed once per written value (kept across runs, freed when the weight changes). */
  derived(key: string, make: (w: tf.Tensor) => tf.Tensor): tf.Tensor {
    const hit = this.memo.get(key);
    if (hit && hit.source === this.current) return hit.value;
    if (hit) hit.value.dispose();
    const value = tf.keep(tf.tidy(() => make(this.current)));
    this.memo.set(key, { source: this.current, value });
    return value;
  }

  dispose(): void {
    this.current.dispose();
    for (const m of this.memo.values()) m.value.dispose();
    this.memo.clear();
  }
}

export class WeightStore {
  readonly cells: WeightCell[] = [];
  /** initializer|layout -> the converted tensor that new cells clone. */
  private converted = new Map<string, tf.Tensor>();

  /** A new cell holding `initializer` in `layout` (`convert` builds it the first time that pair is asked for). */
  cell(initializer: string, layout: string, convert: () => tf.Tensor): WeightCell {
    const key = `${initializer}|${layout}`;
    let base = this.converted.get(key);
    if (!base) {
      base = tf.keep(tf.tidy(convert));
      this.converted.set(key, base);
    }
    const cell = new WeightCell(initializer, tf.keep(alias(base)));
    this.cells.push(cell);
    return cell;
  }

  /** Frees the load-time conversions: from now on every weight lives in its cells only. */
  releaseConversions(): void {
    for (const t of this.converted.values()) t.dispose();
    this.converted.clear();
  }

  dispose(): void {
    this.releaseConversions();
    for (const c of this.cells) c.dispose();
    this.cells.length = 0;
  }
}

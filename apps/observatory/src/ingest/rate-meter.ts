/** Events per second over the last `seconds` whole seconds, from per-second buckets. */
export class RateMeter {
  readonly #buckets: number[];
  #second = 0;

  constructor(seconds: number) {
    this.#buckets = new Array<number>(seconds).fill(0);
  }

  add(count: number, now = Date.now()): void {
    this.#advance(Math.floor(now / 1000));
    this.#buckets[this.#second % this.#buckets.length]! += count;
  }

  perSecond(now = Date.now()): number {
    this.#advance(Math.floor(now / 1000));
    // The current second is still filling: average the full ones before it.
    const current = this.#second % this.#buckets.length;
    let sum = 0;
    for (let i = 0; i < this.#buckets.length; i++) if (i !== current) sum += this.#buckets[i]!;
    return Math.round((sum / (this.#buckets.length - 1)) * 10) / 10;
  }

  #advance(second: number): void {
    if (second <= this.#second) return;
    const steps = Math.min(second - this.#second, this.#buckets.length);
    for (let i = 1; i <= steps; i++) this.#buckets[(this.#second + i) % this.#buckets.length] = 0;
    this.#second = second;
  }
}

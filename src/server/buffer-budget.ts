/**
 * The server-wide budget of bytes held for unfinished incoming messages by connections that are not publishing.
 * Each connection reports what it holds after every read; the one whose report would pass the budget is told so
 * and closed by its session. Sizes are what the chunk readers allocated, not what peers declared.
 */
export class BufferBudget {
  private total = 0;
  private readonly held = new Map<object, number>();

  constructor(readonly limit: number) {}

  get used(): number {
    return this.total;
  }

  /** Records that `owner` now holds `bytes`; false when that would take the total past the limit (nothing recorded). */
  update(owner: object, bytes: number): boolean {
    const before = this.held.get(owner) ?? 0;
    const next = this.total - before + bytes;
    if (bytes > before && next > this.limit) return false;
    this.total = next;
    if (bytes === 0) this.held.delete(owner);
    else this.held.set(owner, bytes);
    return true;
  }

  release(owner: object): void {
    this.update(owner, 0);
  }
}

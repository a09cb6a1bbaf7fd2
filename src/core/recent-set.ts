/**
 * A set that forgets its oldest members beyond `max`: membership for a population that turns over, such as who
 * is inside an estate, in memory bounded by its size rather than by everyone ever seen. Adding a member again
 * makes it the newest.
 */
export class RecentSet {
  private readonly members = new Set<string>();

  constructor(private readonly max: number) {}

  add(key: string): void {
    this.members.delete(key);
    this.members.add(key);
    // Set iteration follows insertion order: the first member is the one added longest ago.
    if (this.members.size > this.max) this.members.delete(this.members.values().next().value as string);
  }

  delete(key: string): void {
    this.members.delete(key);
  }

  has(key: string): boolean {
    return this.members.has(key);
  }

  get size(): number {
    return this.members.size;
  }
}

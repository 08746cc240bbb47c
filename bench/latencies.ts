// Collects durations per name and reports count, p50 and p99.
export class Latencies {
  private readonly samples = new Map<string, number[]>();

  add(name: string, ms: number): void {
    const list = this.samples.get(name) ?? [];
    list.push(ms);
    this.samples.set(name, list);
  }

  reset(): void {
    this.samples.clear();
  }

  rows(): { name: string; count: number; p50: number; p99: number }[] {
    return [...this.samples.entries()].map(([name, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return { name, count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
    });
  }
}

export function percentile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

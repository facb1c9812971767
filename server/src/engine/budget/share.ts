/** Is `amount` strictly above `milliPercent` thousandths of a percent of `budget`? Exact, in BigInt. */
export function aboveShare(amount: number, budget: number, milliPercent: number): boolean {
  return BigInt(amount) * 100_000n > BigInt(budget) * BigInt(milliPercent);
}

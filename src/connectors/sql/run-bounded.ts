/** Runs `work` with at most `limit` jobs at a time (collections of one traversal level read in parallel). */
export async function runBounded(work: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, work.length) }, async () => {
    while (next < work.length) {
      const job = work[next++];
      if (job) await job();
    }
  });
  await Promise.all(lanes);
}

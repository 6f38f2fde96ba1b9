export async function report(rows) {
  const { summarize } = await import('../lib/summarize.js');
  return summarize(rows);
}

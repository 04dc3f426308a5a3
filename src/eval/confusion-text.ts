/** The confusion matrix as a fixed-width text table: rows are true classes, columns predicted ones. */
export function confusionText(confusion: number[][], labels: readonly string[]): string {
  const width = Math.max(...labels.map((l) => l.length), ...confusion.flat().map((n) => String(n).length)) + 1;
  const pad = (text: string): string => text.padStart(width);
  const header = 'true \\ pred'.padEnd(12) + labels.map(pad).join('');
  const rows = confusion.map((row, k) => (labels[k] ?? String(k)).padEnd(12) + row.map((n) => pad(String(n))).join(''));
  return [header, ...rows].join('\n');
}

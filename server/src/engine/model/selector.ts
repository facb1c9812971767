/**
 * Does a label selector (`matchLabels`, a Service's `selector`) select pods with these labels? Every
 * pair must match; an empty or absent selector selects nothing here (a Service without one selects
 * no pod, and we never treat "everything" as a target).
 */
export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/**
 * A generated file keeps what the user wrote around its generated block: regeneration replaces the
 * lines between the markers and nothing else, or refuses when the markers are gone.
 */
export const BEGIN = '# >>> consolidation-plans generated: do not edit inside this block; regenerate instead';
export const END = '# <<< consolidation-plans generated';

export type GeneratedUpdate = { ok: true; text: string } | { ok: false; reason: string };

export function generatedBlock(header: string[], yaml: string): string {
  return [...header.map((line) => `# ${line}`), BEGIN, yaml.trimEnd(), END, ''].join('\n');
}

/** The new text of a generated file: created whole, or its block replaced in place. */
export function updateGeneratedFile(existing: string | undefined, header: string[], yaml: string): GeneratedUpdate {
  const block = generatedBlock(header, yaml);
  if (existing === undefined || existing.trim() === '') return { ok: true, text: block };
  const begin = existing.indexOf(BEGIN);
  const end = existing.indexOf(END, begin + BEGIN.length);
  if (begin === -1 || end === -1) {
    return {
      ok: false,
      reason:
        'it has no generated block (its markers were removed), so regenerating would overwrite what is written there',
    };
  }
  // The header comments directly above BEGIN are ours too; everything else is the user's.
  let start = begin;
  for (const line of [...header].reverse()) {
    const candidate = existing.lastIndexOf(`# ${line}\n`, start - 1);
    if (candidate !== -1 && candidate + line.length + 3 === start) start = candidate;
  }
  const afterEnd = end + END.length + (existing[end + END.length] === '\n' ? 1 : 0);
  return { ok: true, text: existing.slice(0, start) + block + existing.slice(afterEnd) };
}

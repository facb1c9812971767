/** A half-open range of string offsets [start, end) within one file. */
export interface OffsetRange {
  start: number;
  end: number;
}

/** Where something is written: an absolute file path and a range in that file. */
export interface SourceLocation {
  file: string;
  range: OffsetRange;
}

/** The location of `range` in `file`; no range: the file's start. */
export function sourceLocation(file: string, range: OffsetRange | undefined): SourceLocation {
  return { file, range: range ?? { start: 0, end: 0 } };
}

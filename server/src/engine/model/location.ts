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

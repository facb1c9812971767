/**
 * What rendering reads of the source files: their YAML documents as plain values and a compose
 * folder's variables. The workspace provides it (with its caches); render needs nothing else of it.
 */
export interface SourceDocuments {
  /** The plain value of one YAML document of a file (undefined when there is none). */
  documentValue(file: string, index: number): unknown;
  /** The variables docker-compose interpolates in a folder's compose files (its `.env`). */
  composeVariables(dir: string): Record<string, string>;
}

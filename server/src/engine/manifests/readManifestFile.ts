import type { ManifestFile } from '../model/manifest';
import { parseYaml } from '../yaml/parse';
import { isComposeDocument, readComposeDocument } from './compose';
import { isKubernetesObject, readKubernetesDocument } from './kubernetes';

export interface ReadManifestOptions {
  /** Files larger than this many bytes are not parsed (one `manifest/too-large` finding instead). */
  maxBytes: number;
  /** The file's size on disk, when it was read from disk: the text of a binary file decodes larger. */
  fileBytes?: number;
  /** Variables for docker-compose interpolation (the `.env` beside the compose file). */
  composeEnv?: Record<string, string>;
}

export function emptyManifestFile(path: string): ManifestFile {
  return {
    path,
    format: 'other',
    syntaxProblems: [],
    quantityProblems: [],
    fieldProblems: [],
    workloads: [],
    services: [],
    limitRanges: [],
    policies: [],
    claims: [],
    others: [],
  };
}

/** Reads a Kubernetes (multi-document) or docker-compose YAML file into the workspace model. Never throws. */
export function readManifestFile(path: string, text: string, options: ReadManifestOptions): ManifestFile {
  const file = emptyManifestFile(path);
  // Bytes, not characters: the cap is about what a user sees as the file's size.
  const bytes =
    options.fileBytes ?? (text.length > options.maxBytes / 4 ? Buffer.byteLength(text, 'utf8') : text.length);
  if (bytes > options.maxBytes) {
    file.syntaxProblems.push({
      code: 'manifest/too-large',
      severity: 'warning',
      message: `File is ${Math.round(bytes / 1024)} KiB, over the ${Math.round(options.maxBytes / 1024)} KiB limit: not analysed (consolidation.maxFileSizeKb in the editor, --max-file-size-kb on the command line).`,
      range: { start: 0, end: Math.min(text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'), text.length) },
    });
    return file;
  }
  const parsed = parseYaml(text);
  for (const problem of parsed.problems) file.syntaxProblems.push({ ...problem, code: 'manifest/yaml-syntax' });
  parsed.documents.forEach((doc, index) => {
    // A document the parser could not read is reported, not analysed: its values would be guesses.
    if (doc.errors.length > 0) return;
    try {
      if (isKubernetesObject(doc)) {
        file.format = 'kubernetes';
        readKubernetesDocument(doc, index, file);
      } else if (isComposeDocument(doc)) {
        file.format = 'compose';
        readComposeDocument(doc, index, file, options.composeEnv ?? {});
      }
    } catch (error) {
      // A reader bug must not take the server down; say where it happened instead.
      file.syntaxProblems.push({
        code: 'manifest/yaml-syntax',
        severity: 'error',
        message: `Document ${index + 1} could not be read: ${(error as Error).message}`,
        range: doc.range ? { start: doc.range[0], end: doc.range[0] } : { start: 0, end: 0 },
      });
    }
  });
  return file;
}

import type { ManifestContext } from '../contexts';
import type { Rule } from '../types';

export const tooLarge: Rule<ManifestContext> = {
  code: 'manifest/too-large',
  defaultSeverity: 'warning',
  where: 'manifest: the file',
  description: 'The file is over the size limit and is not analysed.',
  check({ file }, addFinding) {
    for (const problem of file.syntaxProblems) {
      if (problem.code === 'manifest/too-large')
        addFinding({ message: problem.message, location: { file: file.path, range: problem.range } });
    }
  },
};

import type { ManifestContext } from '../contexts';
import type { Rule } from '../types';

export const yamlSyntax: Rule<ManifestContext> = {
  code: 'manifest/yaml-syntax',
  defaultSeverity: 'error',
  where: 'manifest',
  description: 'The file is not valid YAML.',
  check({ file }, addFinding) {
    for (const problem of file.syntaxProblems) {
      if (problem.code !== 'manifest/yaml-syntax') continue;
      addFinding({
        message: problem.message,
        severity: problem.severity,
        location: { file: file.path, range: problem.range },
      });
    }
  },
};

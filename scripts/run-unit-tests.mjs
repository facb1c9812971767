// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx).
// Real-editor tests live under test/e2e and have their own runner.
import { spawnSync } from 'node:child_process';
import { globSync } from 'tinyglobby';

const only = process.argv.slice(2);
const files = only.length
  ? only
  : globSync(['test/**/*.test.ts'], { ignore: ['test/e2e/**', '**/node_modules/**'] }).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);

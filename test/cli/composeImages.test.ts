// Issue 13 item 7: `image: ${REGISTRY}/web:${TAG}` with neither variable set rendered `image: "/web:"`, which the
// kubelet rejects. `consolidate render` refuses such output, names the object and container, and says what to do;
// with the variables set in .env the same plan renders.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../helpers/cli';
import { tempWorkspace } from '../helpers/tempWorkspace';
import { planText } from '../helpers/renderWorkspace';

const compose = [
  'services:',
  '  web:',
  '    image: ${REGISTRY}/web:${TAG}',
  '    ports: ["80"]',
  '  api:',
  '    image: example/api:1',
  '',
].join('\n');
const plan = planText([
  'sources: [docker-compose.yml]',
  'phases:',
  '  - name: one',
  '    merge:',
  '      - {name: app, from: [web, api]}',
]);

describe('render with an image reference that cannot be pulled', () => {
  const ws = tempWorkspace({
    files: { 'docker-compose.yml': compose, 'shop.plan.yaml': plan },
    prefix: 'render-image-',
  });
  after(() => ws.dispose());

  it('refuses, naming each object and container, and prints no manifest', async () => {
    const result = await runCli(['render', 'shop.plan.yaml'], { cwd: ws.dir });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      [
        'consolidate: render: refused: 2 container image(s) cannot be pulled:',
        '  Deployment app, container web: image "/web:" is not a valid image reference: it starts with "/" (no registry or repository before it)',
        '  Deployment web, container web: image "/web:" is not a valid image reference: it starts with "/" (no registry or repository before it)',
        "Set the variables in the compose file's .env (or fix image:), then render again.",
        '',
      ].join('\n'),
    );
  });

  it('check says where and why, on the compose file', async () => {
    const result = await runCli(['check', '--format', 'json', '.'], { cwd: ws.dir });
    const diagnostics = (
      JSON.parse(result.stdout) as { diagnostics: { file: string; code: string; severity: string; message: string }[] }
    ).diagnostics;
    assert.deepEqual(
      diagnostics.filter((d) => d.code.startsWith('manifest/')).map((d) => [d.code, d.severity, d.message]),
      [
        [
          'manifest/compose-variable',
          'warning',
          'services.web.image: variable REGISTRY is not set in .env; compose reads it as an empty string (unless the shell sets it).',
        ],
        [
          'manifest/compose-variable',
          'warning',
          'services.web.image: variable TAG is not set in .env; compose reads it as an empty string (unless the shell sets it).',
        ],
        [
          'manifest/invalid-image',
          'error',
          'web: image "/web:" (from "${REGISTRY}/web:${TAG}") is not a valid image reference: it starts with "/" (no registry or repository before it) (variables REGISTRY, TAG are not set). The kubelet cannot pull it; generated manifests would fail.',
        ],
      ],
    );
    assert.equal(result.code, 1);
  });

  it('renders once .env sets the variables', async () => {
    ws.write('.env', 'REGISTRY=ghcr.io/acme\nTAG=1.4.2\n');
    const result = await runCli(['render', 'shop.plan.yaml'], { cwd: ws.dir });
    assert.equal(result.code, 0, result.stderr);
    const images = parseAllDocuments(result.stdout).flatMap((d) => {
      const o = d.toJS() as { kind: string; spec?: { template?: { spec: { containers: { image: string }[] } } } };
      return o.spec?.template ? o.spec.template.spec.containers.map((c) => c.image) : [];
    });
    assert.ok(images.includes('ghcr.io/acme/web:1.4.2'), images.join(', '));
    assert.ok(!images.some((i) => i.startsWith('/') || i.endsWith(':')), images.join(', '));
  });
});

describe('render with a compose service that only builds its image', () => {
  const ws = tempWorkspace({
    files: {
      'docker-compose.yml': [
        'services:',
        '  api:',
        '    build: ./api',
        '    ports: ["8000"]',
        '  worker:',
        '    image: example/worker:1',
        '',
      ].join('\n'),
      'shop.plan.yaml': planText([
        'sources: [docker-compose.yml]',
        'phases:',
        '  - name: one',
        '    merge:',
        '      - {name: app, from: [api, worker]}',
      ]),
    },
    prefix: 'render-build-',
  });
  after(() => ws.dispose());

  it('refuses: the converted Deployment would have no image', async () => {
    const result = await runCli(['render', 'shop.plan.yaml'], { cwd: ws.dir });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^ {2}Deployment app, container api: image "" is not a valid image reference: it is empty \(a compose service that only builds its image needs an image: naming what to pull\)$/m,
    );
  });
});

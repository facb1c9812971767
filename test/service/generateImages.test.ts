// Issue 13 item 7 in the editor: Generate merged manifests refuses, with the reason, when a merged compose service's
// image cannot be pulled (`${REGISTRY}/web:${TAG}` with neither set), instead of writing `image: "/web:"`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateEdit } from '../../server/src/service/generateAction';
import { plan, ROOT, workspaceOf } from '../helpers/memoryHost';

const planText = plan(
  'sources: [docker-compose.yml]\nphases:\n  - name: one\n    merge:\n      - {name: app, from: [web, api]}',
);
const compose = 'services:\n  web:\n    image: ${REGISTRY}/web:${TAG}\n  api:\n    image: example/api:1\n';

describe('Generate merged manifests and image references', () => {
  it('refuses with the object, container and reason', () => {
    const ws = workspaceOf({ 'docker-compose.yml': compose, 'test.plan.yaml': planText });
    const result = generateEdit(
      ws,
      `${ROOT}/test.plan.yaml`,
      { planUri: 'file:///ws/test.plan.yaml', phase: 'one' },
      'generated',
    );
    assert.deepEqual(result, {
      reason:
        'Deployment app, container web: image "/web:" is not a valid image reference: it starts with "/" (no registry or repository before it) (and 1 more): fix the image first',
    });
  });

  it('generates once .env sets the variables', () => {
    const ws = workspaceOf({
      'docker-compose.yml': compose,
      '.env': 'REGISTRY=ghcr.io/acme\nTAG=2\n',
      'test.plan.yaml': planText,
    });
    const result = generateEdit(
      ws,
      `${ROOT}/test.plan.yaml`,
      { planUri: 'file:///ws/test.plan.yaml', phase: 'one' },
      'generated',
    );
    assert.ok('edit' in result, JSON.stringify(result));
  });
});

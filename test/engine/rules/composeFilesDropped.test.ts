// Issue 13, found by a fresh look at DeathStarBench's hotelReservation: compose `configs:` (and
// `secrets:`) mounted into a service were dropped from the merged workload without a word; the
// container then starts without its /config.json.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findingsOf, planText, workspaceOf } from '../../helpers/renderWorkspace';

const compose = `services:
  search:
    image: example/search:1
    configs: [server_config]
    secrets: [{source: db_password, target: db}]
  geo:
    image: example/geo:1
    configs: [{source: server_config, target: /etc/geo/config.json}]
  rate:
    image: example/rate:1
configs:
  server_config: {file: ./config.json}
secrets:
  db_password: {file: ./db.txt}
`;

const messages = (from: string) =>
  findingsOf(
    workspaceOf({
      'docker-compose.yml': compose,
      'test.plan.yaml': planText([
        'sources: [docker-compose.yml]',
        'phases:',
        '  - name: one',
        '    merge:',
        `      - {name: backend, from: [${from}]}`,
      ]),
    }),
    'merge/volume-dropped',
  ).map((f) => f.message);

describe('merge/volume-dropped: compose configs and secrets', () => {
  it('names each file a source mounts from its configs and secrets, at the path compose mounts it', () => {
    assert.deepEqual(messages('search, geo'), [
      'Merge backend: search mounts config server_config at /server_config, secret db_password at /run/secrets/db, which the merged workload does not: the files compose mounts from its configs and secrets would be missing (compose volumes, configs and secrets are not converted: add PersistentVolumeClaims, ConfigMaps, Secrets or hostPath volumes to the generated manifests before applying).',
      'Merge backend: geo mounts config server_config at /etc/geo/config.json, which the merged workload does not: the file compose mounts from its configs would be missing (compose volumes, configs and secrets are not converted: add PersistentVolumeClaims, ConfigMaps, Secrets or hostPath volumes to the generated manifests before applying).',
    ]);
  });

  it('says nothing for services that mount none', () => {
    assert.deepEqual(
      messages('rate, geo').filter((m) => m.includes('rate mounts')),
      [],
    );
  });
});

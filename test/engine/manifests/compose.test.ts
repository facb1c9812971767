import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  composeEnvironmentOf,
  composeRunModeOf,
  dns1123,
  interpolate,
  isComposeDocument,
  layerComposeWorkloads,
  parseDotEnv,
  readComposeDocument,
} from '../../../server/src/engine/manifests/compose';
import type { ContainerModel, ManifestFile, WorkloadModel } from '../../../server/src/engine/model/manifest';
import { parseYaml } from '../../../server/src/engine/yaml/parse';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'compose');
const CORPUS = '/work/shared/corpus';
const MiB = 2 ** 20;

function emptyFile(path: string): ManifestFile {
  return {
    path,
    format: 'compose',
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

/** Reads a compose text the way the workspace does; YAML syntax problems fail the test. */
function read(text: string, env: Record<string, string> = {}, path = '/ws/app/compose.yaml'): ManifestFile {
  const file = emptyFile(path);
  const parsed = parseYaml(text);
  assert.deepEqual(parsed.problems, []);
  parsed.documents.forEach((doc, index) => {
    if (isComposeDocument(doc)) readComposeDocument(doc, index, file, env);
  });
  return file;
}

function readFromDisk(path: string): { file: ManifestFile; yamlProblems: number } {
  const envPath = join(dirname(path), '.env');
  const env = existsSync(envPath) ? parseDotEnv(readFileSync(envPath, 'utf8')) : {};
  const file = emptyFile(path);
  const parsed = parseYaml(readFileSync(path, 'utf8'));
  parsed.documents.forEach((doc, index) => {
    if (isComposeDocument(doc)) readComposeDocument(doc, index, file, env);
  });
  return { file, yamlProblems: parsed.problems.length };
}

function only(file: ManifestFile): WorkloadModel {
  assert.equal(file.workloads.length, 1);
  return file.workloads[0];
}

function container(workload: WorkloadModel): ContainerModel {
  assert.equal(workload.containers.length, 1);
  return workload.containers[0];
}

function textAt(text: string, range: { start: number; end: number }): string {
  return text.slice(range.start, range.end);
}

describe('interpolate', () => {
  const env = { NAME: 'web', EMPTY: '', TAG: '1.0', NESTED: '${NAME}' };

  it('substitutes ${VAR} and $VAR', () => {
    assert.deepEqual(interpolate('${NAME}:$TAG-x', env), { value: 'web:1.0-x', missing: [], errors: [] });
    assert.equal(interpolate('$NAME_suffix', { ...env, NAME_suffix: 'whole' }).value, 'whole');
  });

  it('treats $$ as a literal dollar', () => {
    assert.equal(interpolate('cost $$5 and $${NAME}', env).value, 'cost $5 and ${NAME}');
  });

  it('applies :- and - defaults (empty counts as unset only with the colon)', () => {
    assert.equal(interpolate('${MISSING:-dflt}', env).value, 'dflt');
    assert.equal(interpolate('${EMPTY:-dflt}', env).value, 'dflt');
    assert.equal(interpolate('${EMPTY-dflt}', env).value, '');
    assert.equal(interpolate('${MISSING-dflt}', env).value, 'dflt');
    assert.equal(interpolate('${NAME:-dflt}', env).value, 'web');
  });

  it('applies :+ and + alternatives', () => {
    assert.equal(interpolate('${NAME:+on}', env).value, 'on');
    assert.equal(interpolate('${EMPTY:+on}', env).value, '');
    assert.equal(interpolate('${EMPTY+on}', env).value, 'on');
    assert.equal(interpolate('${MISSING+on}', env).value, '');
  });

  it('reports :? and ? errors', () => {
    assert.deepEqual(interpolate('${MISSING:?set it}', env), { value: '', missing: [], errors: ['MISSING: set it'] });
    assert.deepEqual(interpolate('${EMPTY:?}', env).errors, ['required variable EMPTY is missing a value']);
    assert.deepEqual(interpolate('${EMPTY?no}', env), { value: '', missing: [], errors: [] });
    assert.equal(interpolate('${NAME:?no}', env).value, 'web');
  });

  it('expands nested defaults, lazily', () => {
    assert.equal(interpolate('${A:-${B:-x}}', {}).value, 'x');
    assert.equal(interpolate('${A:-${B:-x}}', { B: 'b' }).value, 'b');
    assert.equal(interpolate('${A:-pre-$NAME-${TAG}}', env).value, 'pre-web-1.0');
    assert.deepEqual(interpolate('${NAME:-${UNSET}}', env), { value: 'web', missing: [], errors: [] });
    assert.deepEqual(interpolate('${UNSET:-${ALSO_UNSET}}', env).missing, ['ALSO_UNSET']);
  });

  it('reads unset variables without a default as empty and lists them once', () => {
    assert.deepEqual(interpolate('${X}/$X/${Y}', {}), { value: '//', missing: ['X', 'Y'], errors: [] });
  });

  it('does not expand values taken from the environment again', () => {
    assert.equal(interpolate('${NESTED}', env).value, '${NAME}');
  });

  it('keeps malformed expressions literally and reports them', () => {
    const unterminated = interpolate('a ${NAME', env);
    assert.equal(unterminated.value, 'a ${NAME');
    assert.equal(unterminated.errors.length, 1);
    const badName = interpolate('${1abc} $1', env);
    assert.equal(badName.value, '${1abc} $1');
    assert.equal(badName.errors.length, 2);
    assert.equal(interpolate('${NAME:0:2}', env).errors.length, 1);
  });

  it('ignores inherited object properties', () => {
    assert.deepEqual(interpolate('${constructor}', {}), { value: '', missing: ['constructor'], errors: [] });
  });
});

describe('parseDotEnv', () => {
  it('reads compose .env files: comments, export, quotes, references', () => {
    const env = parseDotEnv(readFileSync(join(FIXTURES, 'dotenv', '.env'), 'utf8'));
    assert.deepEqual(env, {
      PLAIN: 'plain value',
      EXPORTED: 'yes',
      DOUBLE: 'double quoted # not a comment',
      SINGLE: 'single ${PLAIN} stays literal',
      INLINE: 'inline',
      EMPTY: '',
      HOST: 'api',
      PORT: '8080',
      ADDR: 'api:8080',
      WITH_DEFAULT: 'fallback',
      MEMORY: '300M',
    });
  });

  it('returns an empty object for text without assignments', () => {
    assert.deepEqual(parseDotEnv('# only a comment\n\n'), {});
    assert.deepEqual(parseDotEnv(''), {});
  });
});

describe('dns1123', () => {
  it('lowercases and maps _ and . to -', () => {
    assert.equal(dns1123('caddy_reverse_proxy'), 'caddy-reverse-proxy');
    assert.equal(dns1123('Basket.Data'), 'basket-data');
    assert.equal(dns1123('web'), 'web');
  });
});

describe('isComposeDocument', () => {
  const first = (text: string) => parseYaml(text).documents[0];
  it('accepts a mapping with services and no apiVersion/kind', () => {
    assert.equal(isComposeDocument(first('services:\n  web:\n    image: nginx\n')), true);
    assert.equal(isComposeDocument(first('version: "3"\nservices: []\n')), true);
  });
  it('rejects Kubernetes objects and other documents', () => {
    assert.equal(isComposeDocument(first('apiVersion: v1\nkind: Service\nservices: {}\n')), false);
    assert.equal(isComposeDocument(first('kind: Thing\nservices: {}\n')), false);
    assert.equal(isComposeDocument(first('- services\n')), false);
    assert.equal(isComposeDocument(first('name: x\n')), false);
    assert.equal(isComposeDocument(first('---\n')), false);
  });
});

describe('readComposeDocument', () => {
  it('models a service as a ComposeService workload', () => {
    const text = 'services:\n  caddy_reverse_proxy:\n    image: caddy:${TAG:-2}\n    labels:\n      tier: edge\n';
    const workload = only(read(text, {}, '/ws/app/compose.yaml'));
    assert.equal(workload.id, 'compose:/ws/app#caddy_reverse_proxy');
    assert.equal(workload.kind, 'ComposeService');
    assert.equal(workload.origin, 'compose');
    assert.equal(workload.name, 'caddy_reverse_proxy');
    assert.deepEqual(workload.aliases, ['caddy-reverse-proxy']);
    assert.equal(workload.namespace, undefined);
    assert.equal(workload.replicas, 1);
    assert.equal(workload.replicasLocation, undefined);
    assert.equal(workload.steady, true);
    assert.deepEqual(workload.podLabels, { tier: 'edge' });
    assert.deepEqual(workload.initContainers, []);
    assert.deepEqual(workload.podOverhead, {});
    assert.equal(workload.documentIndex, 0);
    assert.equal(textAt(text, workload.nameLocation.range), 'caddy_reverse_proxy');
    assert.ok(textAt(text, workload.location.range).startsWith('image: caddy'));
    const main = container(workload);
    assert.equal(main.name, 'caddy_reverse_proxy');
    assert.equal(main.image, 'caddy:2');
    assert.equal(main.init, false);
    assert.deepEqual(main.limits, {});
    assert.deepEqual(main.requests, {});
    assert.equal(textAt(text, main.resourcesLocation.range), 'caddy_reverse_proxy');
  });

  it('gives no alias when the name is already DNS-1123', () => {
    assert.deepEqual(only(read('services:\n  web: {image: nginx}\n')).aliases, []);
  });

  it('skips x-* extensions and entries that are not mappings', () => {
    const file = read(
      'x-common: &c\n  image: a\nservices:\n  a: *c\n  b: null\n  c: "string"\n  d: [1]\n  e:\n    image: e\n',
    );
    assert.deepEqual(
      file.workloads.map((w) => w.name),
      ['a', 'e'],
    );
    assert.equal(container(file.workloads[0]).image, 'a');
  });

  it('reads labels given as a list', () => {
    assert.deepEqual(only(read('services:\n  a:\n    labels: ["x=1", "y", "z=a=b"]\n')).podLabels, {
      x: '1',
      y: '',
      z: 'a=b',
    });
  });

  it('uses the document index of multi-document files', () => {
    const file = read('services:\n  a: {}\n---\nservices:\n  b: {}\n');
    assert.deepEqual(
      file.workloads.map((w) => [w.name, w.documentIndex]),
      [
        ['a', 0],
        ['b', 1],
      ],
    );
  });
});

describe('ports', () => {
  const portsOf = (yaml: string, env: Record<string, string> = {}) =>
    container(only(read(`services:\n  s:\n    ports:\n${yaml}`, env))).ports.map(
      (p) => `${p.port}/${p.protocol}${p.name ? ` ${p.name}` : ''}`,
    );

  it('reads short syntax: container port is the last part', () => {
    assert.deepEqual(
      portsOf(
        '      - "8080:80"\n      - "127.0.0.1:5353:53/udp"\n      - "3000"\n      - 4000\n      - "[::1]:6000:6001"\n',
      ),
      ['80/TCP', '53/UDP', '3000/TCP', '4000/TCP', '6001/TCP'],
    );
  });

  it('expands ranges, capped at 100 ports', () => {
    assert.deepEqual(portsOf('      - "9000-9002:9000-9002"\n'), ['9000/TCP', '9001/TCP', '9002/TCP']);
    assert.equal(portsOf('      - "10000-20000"\n').length, 100);
    assert.deepEqual(portsOf('      - "8000-8010:80"\n'), ['80/TCP']);
  });

  it('reads long syntax: target is the container port', () => {
    assert.deepEqual(
      portsOf(
        '      - target: 80\n        published: "8080"\n        protocol: udp\n        name: web\n      - {target: "443"}\n',
      ),
      ['80/UDP web', '443/TCP'],
    );
  });

  it('interpolates and de-duplicates', () => {
    assert.deepEqual(
      portsOf('      - "${PORT}:${PORT}"\n      - "9999:${PORT}"\n      - "${UNSET:-81}"\n', { PORT: '8080' }),
      ['8080/TCP', '81/TCP'],
    );
  });

  it('skips entries that are not ports', () => {
    assert.deepEqual(
      portsOf(
        '      - "abc"\n      - "0"\n      - "70000"\n      - "9002-9000"\n      - {published: 80}\n      - [80]\n      - null\n',
      ),
      [],
    );
  });

  it('points each port at its scalar', () => {
    const text = 'services:\n  s:\n    ports:\n      - "8080:80"\n      - target: 443\n';
    const ports = container(only(read(text))).ports;
    assert.deepEqual(
      ports.map((p) => textAt(text, p.location.range)),
      ['"8080:80"', '443'],
    );
  });
});

describe('replicas', () => {
  const replicasOf = (yaml: string, env: Record<string, string> = {}) =>
    only(read(`services:\n  s:\n${yaml}`, env)).replicas;

  it('reads deploy.replicas, else scale, else 1', () => {
    assert.equal(replicasOf('    deploy:\n      replicas: 3\n'), 3);
    assert.equal(replicasOf('    scale: 2\n'), 2);
    assert.equal(replicasOf('    scale: 2\n    deploy:\n      replicas: 4\n'), 4);
    assert.equal(replicasOf('    image: x\n'), 1);
    assert.equal(replicasOf('    deploy:\n      replicas: 0\n'), 0);
  });

  it('interpolates replicas given as strings', () => {
    assert.equal(replicasOf('    deploy:\n      replicas: ${N:-5}\n'), 5);
    assert.equal(replicasOf('    deploy:\n      replicas: "${N}"\n', { N: '7' }), 7);
  });

  it('ignores invalid counts', () => {
    assert.equal(replicasOf('    deploy:\n      replicas: -1\n'), 1);
    assert.equal(replicasOf('    deploy:\n      replicas: 1.5\n    scale: 2\n'), 2);
    assert.equal(replicasOf('    deploy:\n      replicas: many\n'), 1);
  });

  it('records where replicas are written', () => {
    const text = 'services:\n  s:\n    deploy:\n      replicas: 3\n';
    assert.equal(textAt(text, only(read(text)).replicasLocation!.range), '3');
  });
});

describe('resources', () => {
  const resourcesOf = (yaml: string, env: Record<string, string> = {}) => {
    const file = read(`services:\n  s:\n${yaml}`, env);
    const main = container(only(file));
    return { limits: main.limits, requests: main.requests, main, problems: file.quantityProblems };
  };

  it('reads deploy.resources limits and reservations with Docker units', () => {
    const { limits, requests, problems } = resourcesOf(
      '    deploy:\n      resources:\n        limits:\n          memory: 300M\n          cpus: "1.5"\n        reservations:\n          memory: 1g\n          cpus: 0.25\n',
    );
    assert.deepEqual(limits, { memory: 314572800, cpu: 1500 });
    assert.deepEqual(requests, { memory: 1024 * MiB, cpu: 250 });
    assert.deepEqual(problems, []);
  });

  it('reads service-level mem_limit, cpus and mem_reservation', () => {
    const { limits, requests } = resourcesOf('    mem_limit: 512m\n    cpus: 2\n    mem_reservation: 128MiB\n');
    assert.deepEqual(limits, { memory: 512 * MiB, cpu: 2000 });
    assert.deepEqual(requests, { memory: 128 * MiB });
  });

  it('lets deploy win over the service-level spelling, resource by resource', () => {
    const { limits, requests } = resourcesOf(
      '    mem_limit: 1g\n    cpus: 4\n    mem_reservation: 1g\n    deploy:\n      resources:\n        limits:\n          memory: 256M\n        reservations:\n          memory: 64M\n',
    );
    assert.deepEqual(limits, { memory: 256 * MiB, cpu: 4000 });
    assert.deepEqual(requests, { memory: 64 * MiB });
  });

  it('keeps exact source locations of each field', () => {
    const text =
      'services:\n  s:\n    mem_limit: 1g\n    deploy:\n      resources:\n        limits:\n          cpus: "0.5"\n        reservations:\n          memory: 64M\n';
    const main = container(only(read(text)));
    assert.equal(textAt(text, main.limitFields.memory.location.range), '1g');
    assert.equal(textAt(text, main.limitFields.cpu.location.range), '"0.5"');
    assert.equal(textAt(text, main.requestFields.memory.location.range), '64M');
    assert.equal(main.limitFields.cpu.raw, '0.5');
    assert.equal(main.limitFields.memory.value, 1024 * MiB);
    assert.equal(textAt(text, main.resourcesLocation.range), 'resources');
  });

  it('interpolates quantities but keeps the raw text as written', () => {
    const { main } = resourcesOf('    deploy:\n      resources:\n        limits:\n          memory: ${MEM:-300M}\n', {
      MEM: '1g',
    });
    assert.equal(main.limitFields.memory.raw, '${MEM:-300M}');
    assert.equal(main.limits.memory, 1024 * MiB);
    assert.equal(resourcesOf('    mem_limit: ${MEM:-300M}\n').limits.memory, 314572800);
  });

  it('reports invalid quantities with the field path and leaves the value out', () => {
    const { main, limits, problems } = resourcesOf(
      '    deploy:\n      resources:\n        limits:\n          memory: 300Mb3\n          cpus: 500m\n',
    );
    assert.deepEqual(limits, {});
    assert.equal(main.limitFields.memory.value, undefined);
    assert.equal(main.limitFields.cpu.raw, '500m');
    assert.deepEqual(
      problems.map((p) => [p.message.split(':')[0], p.severity]),
      [
        ['deploy.resources.limits.memory', 'error'],
        ['deploy.resources.limits.cpus', 'error'],
      ],
    );
    assert.equal(problems[1].replacement, '0.5');
  });

  it('reads an unset variable in a resource field as empty: no value, no quantity problem (manifest/compose-variable says it)', () => {
    const file = read('services:\n  s:\n    mem_limit: ${MEM}\n');
    assert.equal(container(only(file)).limitFields.memory.value, undefined);
    assert.deepEqual(file.quantityProblems, []);
    assert.deepEqual(
      file.composeProblems?.map((p) => [p.code, p.severity, p.message]),
      [
        [
          'manifest/compose-variable',
          'warning',
          'services.s.mem_limit: variable MEM is not set in .env; compose reads it as an empty string (unless the shell sets it).',
        ],
      ],
    );
  });

  it('reports required-variable errors in resource fields once, as compose-variable errors', () => {
    const file = read('services:\n  s:\n    cpus: ${CPUS:?set CPUS}\n');
    assert.deepEqual(file.quantityProblems, []);
    assert.deepEqual(
      file.composeProblems?.map((p) => [p.message, p.severity]),
      [['services.s.cpus: CPUS: set CPUS; compose refuses the file.', 'error']],
    );
  });

  it('offers no replacement for an interpolated value', () => {
    const { problems } = resourcesOf('    mem_limit: ${MEM}\n', { MEM: '512' });
    assert.equal(problems.length, 1);
    assert.equal(problems[0].severity, 'warning');
    assert.equal(problems[0].replacement, undefined);
    assert.equal(resourcesOf('    mem_limit: 512\n').problems[0].replacement, '512m');
  });

  // Issue 13 item 7: only resource fields got a warning.
  it('warns about unset variables in every field, where each is written, aliases once', () => {
    const text =
      'x-tag: &tag ${TAG}\nservices:\n  s:\n    image: ${IMAGE}\n    restart: ${RESTART}\n    ports: ["${P}", "80"]\n    environment: {A: "$$literal", B: "${B:-x}", C: *tag}\n';
    const file = read(text, { RESTART: 'always' });
    assert.deepEqual(file.quantityProblems, []);
    assert.deepEqual(
      file.composeProblems
        ?.filter((p) => p.code === 'manifest/compose-variable')
        .map((p) => [p.message.split(': variable')[0], textAt(text, p.location.range)]),
      [
        ['x-tag', '${TAG}'],
        ['services.s.image', '${IMAGE}'],
        ['services.s.ports[0]', '"${P}"'],
      ],
    );
  });

  it('notes (information) rather than warns about unset variables in environment values, in both forms', () => {
    const file = read(
      'services:\n  s:\n    image: x\n    environment: {PASSWORD: "${DB_PASSWORD}"}\n  t:\n    image: x\n    environment: ["KEY=${API_KEY}"]\n',
    );
    assert.deepEqual(
      file.composeProblems?.map((p) => [p.message.split(' is not set')[0], p.severity]),
      [
        ['services.s.environment.PASSWORD: variable DB_PASSWORD', 'information'],
        ['services.t.environment[0]: variable API_KEY', 'information'],
      ],
    );
  });

  it('reports malformed interpolation in any field as an error', () => {
    const file = read('services:\n  s:\n    image: example/x\n    command: echo $ 1\n');
    assert.deepEqual(
      file.composeProblems?.map((p) => [p.code, p.severity]),
      [['manifest/compose-variable', 'error']],
    );
  });

  it('reports non-scalar quantities', () => {
    const { problems, limits } = resourcesOf('    mem_limit: {a: 1}\n    cpus: [1]\n');
    assert.deepEqual(limits, {});
    assert.deepEqual(
      problems.map((p) => p.message.split(':')[0]),
      ['mem_limit', 'cpus'],
    );
  });
});

describe('GPUs', () => {
  const gpuOf = (devices: string) => {
    const file = read(
      `services:\n  s:\n    deploy:\n      resources:\n        reservations:\n          devices:\n${devices}`,
    );
    const main = container(only(file));
    return { requests: main.requests, limits: main.limits, main, problems: file.quantityProblems };
  };

  it('turns capabilities: [gpu] with count into nvidia.com/gpu requests and limits', () => {
    const { requests, limits, main } = gpuOf(
      '            - driver: nvidia\n              count: 2\n              capabilities: [gpu]\n',
    );
    assert.deepEqual(requests, { 'nvidia.com/gpu': 2 });
    assert.deepEqual(limits, { 'nvidia.com/gpu': 2 });
    assert.equal(main.requestFields['nvidia.com/gpu'].raw, '2');
  });

  it('counts "all" and an absent count as 1, device_ids by their number', () => {
    assert.deepEqual(gpuOf('            - capabilities: [gpu]\n              count: all\n').requests, {
      'nvidia.com/gpu': 1,
    });
    assert.deepEqual(gpuOf('            - capabilities: [gpu, utility]\n').requests, { 'nvidia.com/gpu': 1 });
    assert.deepEqual(gpuOf('            - capabilities: [gpu]\n              device_ids: ["0", "3"]\n').requests, {
      'nvidia.com/gpu': 2,
    });
  });

  it('sums several GPU devices and ignores other devices', () => {
    assert.deepEqual(
      gpuOf(
        '            - {capabilities: [gpu], count: 1}\n            - {capabilities: [tpu], count: 4}\n            - {capabilities: [gpu], count: "3"}\n',
      ).requests,
      {
        'nvidia.com/gpu': 4,
      },
    );
  });

  it('reports an invalid count', () => {
    const { requests, problems } = gpuOf('            - capabilities: [gpu]\n              count: lots\n');
    assert.deepEqual(requests, {});
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /^deploy\.resources\.reservations\.devices\[0\]\.count:/);
  });

  it('keeps memory reservations next to GPUs', () => {
    const file = read(
      'services:\n  s:\n    deploy:\n      resources:\n        reservations:\n          memory: 1g\n          devices:\n            - {capabilities: [gpu], count: 1}\n',
    );
    assert.deepEqual(container(only(file)).requests, { memory: 1024 * MiB, 'nvidia.com/gpu': 1 });
  });
});

describe('one-shot services', () => {
  const steadyOf = (yaml: string) => only(read(`services:\n  s:\n${yaml}`)).steady;

  it('treats an unspecified restart as long-running', () => {
    assert.equal(steadyOf('    image: x\n'), true);
  });

  it('treats explicit restart "no" and on-failure as one-shot', () => {
    assert.equal(steadyOf('    restart: "no"\n'), false);
    assert.equal(steadyOf('    restart: no\n'), false);
    assert.equal(steadyOf('    restart: on-failure\n'), false);
    assert.equal(steadyOf('    restart: on-failure:3\n'), false);
    assert.equal(steadyOf('    restart: always\n'), true);
    assert.equal(steadyOf('    restart: unless-stopped\n'), true);
    assert.equal(steadyOf('    restart: ${RESTART}\n'), true);
    assert.equal(steadyOf('    restart: ${RESTART:-no}\n'), false);
  });

  it('reads restart as a YAML 1.1 boolean', () => {
    const file = emptyFile('/ws/compose.yaml');
    const doc = parseYaml('%YAML 1.1\n---\nservices:\n  s:\n    restart: no\n').documents[0];
    readComposeDocument(doc, 0, file, {});
    assert.equal(only(file).steady, false);
  });

  it('reads deploy.restart_policy.condition, which wins over restart', () => {
    assert.equal(steadyOf('    deploy:\n      restart_policy:\n        condition: none\n'), false);
    assert.equal(steadyOf('    deploy:\n      restart_policy:\n        condition: on-failure\n'), false);
    assert.equal(steadyOf('    deploy:\n      restart_policy:\n        condition: any\n'), true);
    assert.equal(steadyOf('    restart: "no"\n    deploy:\n      restart_policy:\n        condition: any\n'), true);
  });

  it('treats job deploy modes as one-shot', () => {
    assert.equal(steadyOf('    deploy:\n      mode: replicated-job\n'), false);
  });

  // Issue 13 item 5: an HTTP server with a one-shot-looking restart policy but published ports was a job.
  it('runs a service that declares ports, expose or a healthcheck steadily whatever its restart policy', () => {
    const server = '    restart: always\n    deploy:\n      restart_policy:\n        condition: on-failure\n';
    assert.equal(steadyOf(`${server}    ports: ["8080:80"]\n`), true);
    assert.equal(steadyOf(`${server}`), false);
    assert.equal(steadyOf('    restart: "no"\n    expose: ["3306"]\n'), true);
    assert.equal(steadyOf('    restart: on-failure:3\n    healthcheck:\n      test: ["CMD", "true"]\n'), true);
    // A disabled healthcheck checks nothing.
    assert.equal(steadyOf('    restart: on-failure:3\n    healthcheck:\n      disable: true\n'), false);
    assert.equal(steadyOf('    restart: "no"\n    healthcheck:\n      test: ["NONE"]\n'), false);
    assert.equal(steadyOf('    restart: "no"\n    ports: []\n'), false);
  });

  it('treats a service another waits for with condition service_completed_successfully as one-shot', () => {
    const file = read(
      [
        'services:',
        '  migrate:',
        '    image: app',
        '    ports: ["9000"]',
        '  api:',
        '    image: app',
        '    restart: always',
        '    depends_on:',
        '      migrate: {condition: service_completed_successfully}',
        '      db: {condition: service_healthy}',
        '  db:',
        '    image: postgres',
        '    depends_on: [migrate]',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      file.workloads.map((w) => [w.name, w.steady]),
      [
        ['migrate', false],
        ['api', true],
        ['db', true],
      ],
    );
    assert.equal(
      composeRunModeOf(file.workloads[0])?.reason,
      'api waits for it to finish (depends_on condition service_completed_successfully)',
    );
  });

  it('says why a service counts as a job or runs steadily', () => {
    const reasonOf = (yaml: string) => composeRunModeOf(only(read(`services:\n  s:\n${yaml}`)))?.reason;
    assert.equal(
      reasonOf('    restart: "no"\n'),
      'its restart policy is no (restart: no) and it declares no ports, expose or healthcheck',
    );
    assert.equal(
      reasonOf('    restart: always\n    deploy:\n      restart_policy:\n        condition: none\n'),
      'its restart policy is no (deploy.restart_policy.condition: none) and it declares no ports, expose or healthcheck',
    );
    assert.equal(
      reasonOf('    restart: "no"\n    ports: ["80"]\n'),
      'it declares ports, although its restart policy is no (restart: no)',
    );
    assert.equal(reasonOf('    image: x\n'), 'no restart policy is written (counted as long-running)');
  });

  it('applies the rule across layered files: an override that waits for a service makes it one-shot', () => {
    const base = read('services:\n  seed:\n    image: x\n  api:\n    image: y\n', {}, '/ws/a/compose.yaml');
    const override = read(
      'services:\n  api:\n    depends_on:\n      seed:\n        condition: service_completed_successfully\n',
      {},
      '/ws/a/compose.override.yaml',
    );
    assert.equal(base.workloads[0].steady, true);
    const layered = layerComposeWorkloads([...base.workloads, ...override.workloads]);
    assert.deepEqual(
      layered.map((w) => [w.name, w.steady]),
      [
        ['seed', false],
        ['api', true],
      ],
    );
    // An override adding ports to a restart: "no" service makes it a server.
    const job = read('services:\n  s:\n    restart: "no"\n', {}, '/ws/b/compose.yaml');
    const served = read('services:\n  s:\n    expose: ["80"]\n', {}, '/ws/b/compose.override.yaml');
    assert.equal(layerComposeWorkloads([...job.workloads, ...served.workloads])[0].steady, true);
  });
});

// Issue 13 item 7: `image: ${REGISTRY}/web:${TAG}` with both unset rendered "/web:" silently.
describe('image references', () => {
  const imageProblems = (image: string, env: Record<string, string> = {}) =>
    (read(`services:\n  web:\n    image: ${image}\n`, env).composeProblems ?? [])
      .filter((p) => p.code === 'manifest/invalid-image')
      .map((p) => p.message);

  it('reports an image that interpolates to an invalid reference, naming the unset variables', () => {
    assert.deepEqual(imageProblems('${REGISTRY}/web:${TAG}'), [
      'web: image "/web:" (from "${REGISTRY}/web:${TAG}") is not a valid image reference: it starts with "/" (no registry or repository before it) (variables REGISTRY, TAG are not set). The kubelet cannot pull it; generated manifests would fail.',
    ]);
    assert.deepEqual(imageProblems('web:${TAG}'), [
      'web: image "web:" (from "web:${TAG}") is not a valid image reference: it ends with ":" (an empty tag) (variable TAG is not set). The kubelet cannot pull it; generated manifests would fail.',
    ]);
    assert.equal(imageProblems('${IMAGE}').length, 1);
    assert.equal(imageProblems('Example/Web:1').length, 1);
  });

  it('accepts valid references: defaults, registries with ports, digests', () => {
    for (const image of [
      '${REGISTRY:-ghcr.io}/web:${TAG:-1.0}',
      'mysql:8',
      'localhost:5000/a/b_c:v1.2-rc',
      `redis@sha256:${'a'.repeat(64)}`,
      'docker.io/library/postgres:16.2-alpine',
    ]) {
      assert.deepEqual(imageProblems(image), [], image);
    }
    assert.deepEqual(imageProblems('${REGISTRY}/web:${TAG}', { REGISTRY: 'ghcr.io/acme', TAG: '2' }), []);
  });
});

// Issue 13 item 4: `expose` was dropped.
describe('expose', () => {
  it('reads exposed ports as container ports, with ranges and protocols, next to published ones', () => {
    const text =
      'services:\n  db:\n    image: mysql:8\n    ports: ["8080:80"]\n    expose: ["3306", 33060, "7000-7002/udp", "80", "1:2"]\n';
    const ports = container(only(read(text))).ports;
    assert.deepEqual(
      ports.map((p) => `${p.port}/${p.protocol}`),
      ['80/TCP', '3306/TCP', '33060/TCP', '7000/UDP', '7001/UDP', '7002/UDP'],
    );
    assert.equal(textAt(text, ports[1].location.range), '"3306"');
  });
});

describe('anchors, aliases and merge keys', () => {
  it('resolves <<: *anchor into services and keeps own keys first', () => {
    const text = [
      'x-defaults: &defaults',
      '  restart: "no"',
      '  deploy:',
      '    resources:',
      '      limits:',
      '        memory: 128M',
      'x-logging: &logging',
      '  driver: json-file',
      'services:',
      '  a:',
      '    <<: *defaults',
      '    image: a',
      '    logging: *logging',
      '  b:',
      '    <<: *defaults',
      '    restart: always',
      '    deploy:',
      '      replicas: 2',
      '',
    ].join('\n');
    const file = read(text);
    const [a, b] = file.workloads;
    assert.deepEqual(container(a).limits, { memory: 128 * MiB });
    assert.equal(a.steady, false);
    assert.equal(container(a).image, 'a');
    assert.equal(textAt(text, container(a).limitFields.memory.location.range), '128M');
    // `deploy` of b replaces the merged one entirely, as in YAML.
    assert.deepEqual(container(b).limits, {});
    assert.equal(b.replicas, 2);
    assert.equal(b.steady, true);
  });

  it('resolves aliased scalars, sequences and whole services', () => {
    const file = read(
      'x-mem: &mem 64M\nx-ports: &ports ["80"]\nservices:\n  a:\n    mem_limit: *mem\n    ports: *ports\n  b: &b\n    image: b\n  c: *b\n',
    );
    assert.deepEqual(container(file.workloads[0]).limits, { memory: 64 * MiB });
    assert.deepEqual(
      container(file.workloads[0]).ports.map((p) => p.port),
      [80],
    );
    assert.deepEqual(
      file.workloads.map((w) => [w.name, container(w).image]),
      [
        ['a', undefined],
        ['b', 'b'],
        ['c', 'b'],
      ],
    );
  });

  it('reads an alias-heavy document quickly without expanding it', () => {
    const lines = ['x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `x-a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('services:', '  s:', '    labels: *a9', '    ports: *a9', '    environment: *a9');
    const started = Date.now();
    const file = read(lines.join('\n') + '\n');
    assert.equal(file.workloads.length, 1);
    assert.ok(Date.now() - started < 1000);
  });
});

describe('malformed input never throws', () => {
  const cases: Record<string, string> = {
    'services as a list': 'services:\n  - web\n  - db\n',
    'services as a string': 'services: web\n',
    'null services': 'services:\n',
    'ports as a number': 'services:\n  s:\n    ports: 8080\n',
    'ports as a mapping': 'services:\n  s:\n    ports: {a: 1}\n',
    'deploy as a string': 'services:\n  s:\n    deploy: fast\n',
    'resources as a list': 'services:\n  s:\n    deploy:\n      resources: [1, 2]\n',
    'limits as a string': 'services:\n  s:\n    deploy:\n      resources:\n        limits: big\n',
    'devices as a string':
      'services:\n  s:\n    deploy:\n      resources:\n        reservations:\n          devices: gpu\n',
    'device as a string':
      'services:\n  s:\n    deploy:\n      resources:\n        reservations:\n          devices: [gpu]\n',
    'capabilities as a string':
      'services:\n  s:\n    deploy:\n      resources:\n        reservations:\n          devices: [{capabilities: gpu}]\n',
    'labels as a string': 'services:\n  s:\n    labels: x\n',
    'environment as a number': 'services:\n  s:\n    environment: 3\n',
    'restart as a mapping': 'services:\n  s:\n    restart: {a: b}\n',
    'restart_policy as a list': 'services:\n  s:\n    deploy:\n      restart_policy: [none]\n',
    'replicas as a mapping': 'services:\n  s:\n    deploy:\n      replicas: {n: 1}\n',
    'image as a list': 'services:\n  s:\n    image: [a]\n',
    'non-string service key': 'services:\n  ? [a]\n  : {image: x}\n  1: {image: y}\n',
    'root is a list': '- services\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(name, () => {
      const file = emptyFile('/ws/compose.yaml');
      for (const [index, doc] of parseYaml(text).documents.entries()) {
        isComposeDocument(doc);
        readComposeDocument(doc, index, file, {});
      }
      for (const workload of file.workloads) assert.equal(workload.containers.length, 1);
    });
  }

  it('reads numeric service keys as names', () => {
    assert.deepEqual(
      read('services:\n  1: {image: y}\n').workloads.map((w) => w.name),
      ['1'],
    );
  });
});

describe('layerComposeWorkloads', () => {
  const layeredFixture = () => {
    const env = parseDotEnv(readFileSync(join(FIXTURES, 'layered', '.env'), 'utf8'));
    const base = read(readFileSync(join(FIXTURES, 'layered', 'compose.yaml'), 'utf8'), env, '/ws/app/compose.yaml');
    const override = read(
      readFileSync(join(FIXTURES, 'layered', 'compose.override.yaml'), 'utf8'),
      env,
      '/ws/app/compose.override.yaml',
    );
    return { base, override, layered: layerComposeWorkloads([...base.workloads, ...override.workloads]) };
  };

  it('merges services of the same name in files of the same folder, in order', () => {
    const { layered } = layeredFixture();
    assert.deepEqual(
      layered.map((w) => w.name),
      ['web', 'worker', 'cache', 'debug'],
    );
  });

  it('overrides image, appends ports, merges resources and environment', () => {
    const { layered } = layeredFixture();
    const web = layered[0];
    const main = container(web);
    assert.equal(main.image, 'example/web:dev');
    assert.deepEqual(
      main.ports.map((p) => p.port),
      [80, 443, 9229],
    );
    assert.equal(web.replicas, 2);
    assert.deepEqual(main.limits, { memory: 256 * MiB, cpu: 1000 });
    assert.equal(main.limitFields.cpu.location.file, '/ws/app/compose.override.yaml');
    assert.equal(main.limitFields.memory.location.file, '/ws/app/compose.yaml');
    assert.equal(web.location.file, '/ws/app/compose.yaml');
    assert.deepEqual(composeEnvironmentOf(web), { LOG_LEVEL: 'debug', REGION: 'eu' });
  });

  it('keeps deploy winning over mem_limit after the merge, and lets a later restart override', () => {
    const { layered } = layeredFixture();
    const worker = layered[1];
    assert.deepEqual(container(worker).limits, { memory: 64 * MiB });
    assert.equal(worker.steady, true);
    assert.equal(layered[3].steady, false);
  });

  it('keeps a one-shot service one-shot when the override does not mention restart', () => {
    const base = read('services:\n  job:\n    restart: "no"\n', {}, '/ws/a/compose.yaml');
    const override = read('services:\n  job:\n    image: x\n', {}, '/ws/a/compose.override.yaml');
    assert.equal(layerComposeWorkloads([...base.workloads, ...override.workloads])[0].steady, false);
  });

  it('does not modify its inputs', () => {
    const { base } = layeredFixture();
    assert.equal(container(base.workloads[0]).image, 'example/web:1.2.3');
    assert.deepEqual(
      container(base.workloads[0]).ports.map((p) => p.port),
      [80, 443],
    );
    assert.deepEqual(container(base.workloads[0]).limits, { memory: 256 * MiB, cpu: 500 });
  });

  it('does not merge services of different folders and passes other workloads through', () => {
    const a = read('services:\n  web: {image: a}\n', {}, '/ws/a/compose.yaml');
    const b = read('services:\n  web: {image: b}\n', {}, '/ws/b/compose.yaml');
    const kubernetes = {
      ...a.workloads[0],
      id: 'compose:/ws/a#web',
      origin: 'kubernetes' as const,
      kind: 'Deployment' as const,
    };
    const layered = layerComposeWorkloads([...a.workloads, ...b.workloads, kubernetes]);
    assert.equal(layered.length, 3);
    assert.deepEqual(
      layered.map((w) => container(w).image),
      ['a', 'b', 'a'],
    );
  });

  it('layers workloads built without the reader from what the model says', () => {
    const [web] = read('services:\n  web:\n    image: a\n    mem_limit: 1g\n', {}, '/ws/a/compose.yaml').workloads;
    const [over] = read(
      'services:\n  web:\n    deploy:\n      replicas: 3\n',
      {},
      '/ws/a/compose.override.yaml',
    ).workloads;
    const layered = layerComposeWorkloads([structuredClone(web), structuredClone(over)]);
    assert.equal(layered.length, 1);
    assert.equal(layered[0].replicas, 3);
    assert.deepEqual(container(layered[0]).limits, { memory: 1024 * MiB });
  });
});

describe('corpus', { skip: !existsSync(CORPUS) && 'corpus not available' }, () => {
  const load = (paths: string[]) => {
    const files = paths.map((path) => readFromDisk(join(CORPUS, path)));
    for (const [index, { file, yamlProblems }] of files.entries()) {
      assert.equal(yamlProblems, 0, `${paths[index]}: YAML problems`);
      assert.deepEqual(file.quantityProblems, [], `${paths[index]}: quantity problems`);
    }
    return { files: files.map((f) => f.file), layered: layerComposeWorkloads(files.flatMap((f) => f.file.workloads)) };
  };

  it('otel-demo: 3 layered files give 28 services with 6911Mi of memory limits', () => {
    const { files, layered } = load([
      'otel-demo/compose.yaml',
      'otel-demo/compose.full.yaml',
      'otel-demo/compose.observability.yaml',
    ]);
    assert.deepEqual(
      files.map((f) => f.workloads.length),
      [20, 5, 8],
    );
    assert.equal(layered.length, 28);
    const memory = layered.map((w) => container(w).limits.memory);
    assert.ok(memory.every((value) => value !== undefined));
    const total = memory.reduce((sum, value) => sum! + value!, 0);
    assert.equal(total, 7246708736);
    assert.equal(total, 6911 * MiB);
    assert.ok(
      layered.every(
        (w) => w.replicas === 1 && w.steady && !container(w).limits.cpu && !container(w).image?.includes('$'),
      ),
    );
    assert.equal(container(layered.find((w) => w.name === 'ad')!).limits.memory, 314572800);
    assert.equal(container(layered.find((w) => w.name === 'flagd')!).image, 'ghcr.io/open-feature/flagd:v0.16.0');
    assert.deepEqual(
      container(layered.find((w) => w.name === 'frontend-proxy')!).ports.map((p) => p.port),
      [8080, 10000],
    );
    const cart = layered.find((w) => w.name === 'cart')!;
    assert.equal(composeEnvironmentOf(cart)?.OPAMP_SERVER_ENDPOINT, 'wss://opamp-server:4320/v1/opamp');
    assert.equal(composeEnvironmentOf(cart)?.VALKEY_ADDR, 'valkey-cart:6379');
  });

  it('eshoponcontainers: docker-compose.yml + override give 21 services without resources', () => {
    const { files, layered } = load([
      'eshoponcontainers/src/docker-compose.yml',
      'eshoponcontainers/src/docker-compose.override.yml',
    ]);
    assert.deepEqual(
      files.map((f) => f.workloads.length),
      [21, 21],
    );
    assert.equal(layered.length, 21);
    for (const workload of layered) {
      assert.deepEqual(container(workload).limitFields, {});
      assert.deepEqual(container(workload).requestFields, {});
      assert.ok(container(workload).image && !container(workload).image!.includes('$'), workload.name);
    }
    assert.ok(layered.find((w) => w.name === 'basketdata'));
  });

  const counts: [string, number][] = [
    ['sock-shop/deploy/docker-compose/docker-compose.yml', 15],
    ['aks-store-demo/docker-compose.yml', 10],
    ['deathstarbench/hotelReservation/docker-compose.yml', 24],
    ['deathstarbench/socialNetwork/docker-compose.yml', 27],
  ];
  for (const [path, expected] of counts) {
    it(`${path}: ${expected} services, no problems, no resources`, () => {
      const { layered } = load([path]);
      assert.equal(layered.length, expected);
      assert.ok(layered.every((w) => Object.keys(container(w).limitFields).length === 0 && w.steady));
    });
  }

  it('aks-store-demo quickstart and eshop prod load without problems', () => {
    assert.equal(load(['aks-store-demo/docker-compose-quickstart.yml']).layered.length, 4);
    assert.equal(load(['eshoponcontainers/src/docker-compose.prod.yml']).layered.length, 17);
  });
});

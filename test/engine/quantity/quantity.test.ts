import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkComposeQuantity,
  checkResourceQuantity,
  dockerBytes,
  dockerCpuMillicores,
  exactDecimal,
  formatBytes,
  formatMillicores,
  formatPercent,
  formatQuantityForResource,
  groupThousands,
  kubernetesBytes,
  kubernetesCount,
  kubernetesCpuMillicores,
  parseKubernetesQuantity,
  resourceKind,
  toKubernetesCpu,
  toKubernetesMemory,
  type QuantityResult,
} from '../../../server/src/engine/quantity';

const Ki = 2 ** 10;
const Mi = 2 ** 20;
const Gi = 2 ** 30;
const MAX = Number.MAX_SAFE_INTEGER;

const label = (raw: unknown) => (typeof raw === 'string' ? JSON.stringify(raw) : `${typeof raw} ${String(raw)}`);

function expectValue(result: QuantityResult, expected: number): void {
  assert.ok(result.ok, `expected ${expected}, got failure: ${result.ok ? '' : result.reason}`);
  assert.equal(result.value, expected);
}

function expectFailure(result: QuantityResult, reason?: RegExp): void {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  if (reason && !result.ok) assert.match(result.reason, reason);
}

describe('parseKubernetesQuantity: exact rational values', () => {
  const cases: [unknown, bigint, bigint, string][] = [
    ['1', 1n, 1n, ''],
    ['0', 0n, 1n, ''],
    ['007', 7n, 1n, ''],
    ['0.5', 1n, 2n, ''],
    ['.5', 1n, 2n, ''],
    ['5.', 5n, 1n, ''],
    ['+5', 5n, 1n, ''],
    ['-5', -5n, 1n, ''],
    ['-0', 0n, 1n, ''],
    ['+.25', 1n, 4n, ''],
    ['  100m  ', 1n, 10n, 'm'],
    ['1n', 1n, 1_000_000_000n, 'n'],
    ['1u', 1n, 1_000_000n, 'u'],
    ['100m', 1n, 10n, 'm'],
    ['1k', 1000n, 1n, 'k'],
    ['1M', 10n ** 6n, 1n, 'M'],
    ['1G', 10n ** 9n, 1n, 'G'],
    ['1T', 10n ** 12n, 1n, 'T'],
    ['1P', 10n ** 15n, 1n, 'P'],
    ['1E', 10n ** 18n, 1n, 'E'],
    ['1Ki', 1024n, 1n, 'Ki'],
    ['1Mi', 2n ** 20n, 1n, 'Mi'],
    ['1Gi', 2n ** 30n, 1n, 'Gi'],
    ['1Ti', 2n ** 40n, 1n, 'Ti'],
    ['1Pi', 2n ** 50n, 1n, 'Pi'],
    ['1Ei', 2n ** 60n, 1n, 'Ei'],
    ['1.5Gi', 1610612736n, 1n, 'Gi'],
    ['0.5Ki', 512n, 1n, 'Ki'],
    ['0.1Ki', 512n, 5n, 'Ki'],
    ['1e3', 1000n, 1n, 'e3'],
    ['1E3', 1000n, 1n, 'E3'],
    ['1e+3', 1000n, 1n, 'e+3'],
    ['12e-1', 6n, 5n, 'e-1'],
    ['1e-3', 1n, 1000n, 'e-3'],
    ['1.5e2', 150n, 1n, 'e2'],
    ['0e999', 0n, 1n, 'e999'],
    ['-2e3', -2000n, 1n, 'e3'],
    ['129e6', 129_000_000n, 1n, 'e6'],
    ['129M', 129_000_000n, 1n, 'M'],
    ['123Mi', 128_974_848n, 1n, 'Mi'],
    ['128974848', 128_974_848n, 1n, ''],
    ['128974848000m', 128_974_848n, 1n, 'm'],
    // YAML numbers arrive as JS numbers; their canonical decimal string is used.
    [2, 2n, 1n, ''],
    [0.5, 1n, 2n, ''],
    [0.1, 1n, 10n, ''],
    [134217728, 134217728n, 1n, ''],
    [1e21, 10n ** 21n, 1n, 'e+21'],
    [1e-7, 1n, 10_000_000n, 'e-7'],
    [5n, 5n, 1n, ''],
  ];
  for (const [raw, numerator, denominator, suffix] of cases) {
    it(`${label(raw)} = ${numerator}/${denominator}`, () => {
      assert.deepEqual(parseKubernetesQuantity(raw), { ok: true, numerator, denominator, suffix });
    });
  }
});

describe('parseKubernetesQuantity: invalid forms', () => {
  const cases: [unknown, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    [null, /expected a quantity.*null/],
    [undefined, /expected a quantity/],
    [true, /expected a quantity.*boolean/],
    [{}, /expected a quantity.*mapping/],
    [[1], /expected a quantity.*list/],
    [Number.NaN, /expected a quantity/],
    [Number.POSITIVE_INFINITY, /expected a quantity/],
    ['1.2.3', /decimal point/],
    ['1..5', /decimal point/],
    ['Gi', /no digits/],
    ['.', /no digits/],
    ['+', /no digits/],
    ['--1', /no digits/],
    ['+-1', /no digits/],
    ['1iG', /"iG" is not a valid suffix/],
    ['1gi', /"gi" is not a valid suffix/],
    ['1KI', /"KI" is not a valid suffix/],
    ['1K', /"K" is not a valid suffix/],
    ['1mi', /"mi" is not a valid suffix/],
    ['1 Mi', /" Mi" is not a valid suffix/],
    ['1e', /"e" is not a valid suffix/],
    ['1e3.5', /not a valid suffix/],
    ['1e3Mi', /not a valid suffix/],
    ['1Gib', /not a valid suffix/],
    ['1mb', /not a valid suffix/],
    ['0x10', /not a valid suffix/],
    ['1_000', /not a valid suffix/],
    ['1,000', /not a valid suffix/],
    ['\u0663', /no digits/], // Arabic-Indic digit three: only ASCII digits count
    ['1e1001', /exponent .* out of range/],
    ['1e-1001', /exponent .* out of range/],
  ];
  for (const [raw, reason] of cases) {
    it(`rejects ${label(raw)}`, () => {
      const result = parseKubernetesQuantity(raw);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.reason, reason);
    });
  }
});

describe('kubernetesCpuMillicores', () => {
  const cases: [unknown, number][] = [
    ['1', 1000],
    [2, 2000],
    [0.5, 500],
    ['0.1', 100],
    [0.1, 100],
    ['0.29', 290], // 0.29 * 1000 is 290.00000000000006 in floating point
    ['4.35', 4350], // 4.35 * 1000 is 4349.999999999999 in floating point
    [4.35, 4350],
    ['1.005', 1005],
    ['100m', 100],
    ['250m', 250],
    ['0', 0],
    ['-0', 0],
    ['0m', 0],
    ['1e-3', 1],
    ['1E3', 1_000_000],
    ['12e-1', 1200],
    ['2k', 2_000_000],
    // Rounded up, like Quantity.MilliValue().
    ['0.0001', 1],
    ['1e-4', 1],
    ['0.5m', 1],
    ['1n', 1],
    ['1u', 1],
    ['1000000n', 1],
    ['1500000n', 2],
    ['1.0001', 1001],
    [`0.${'0'.repeat(400)}1`, 1],
    ['1Ki', 1_024_000], // valid grammar; checkResourceQuantity is what flags it
    ['9007199254740991m', MAX],
    ['9007199254740.991', MAX],
  ];
  for (const [raw, expected] of cases) {
    it(`${label(raw)} → ${expected}m`, () => expectValue(kubernetesCpuMillicores(raw), expected));
  }
  const failures: [unknown, RegExp][] = [
    ['-1', /negative/],
    ['-100m', /negative/],
    ['9007199254740992m', /too large/],
    ['9007199254740.9911', /too large/],
    ['1E', /too large/],
    [`1${'0'.repeat(400)}`, /too large/],
    ['500mi', /not a valid suffix/],
    [null, /expected a quantity/],
  ];
  for (const [raw, reason] of failures) {
    it(`rejects ${label(raw)}`, () => expectFailure(kubernetesCpuMillicores(raw), reason));
  }
});

describe('kubernetesBytes', () => {
  const cases: [unknown, number][] = [
    ['1.5Gi', 1610612736],
    ['1Gi', Gi],
    ['512Mi', 512 * Mi],
    ['1Ki', Ki],
    ['1Ti', 2 ** 40],
    ['1Pi', 2 ** 50],
    ['7Pi', 7 * 2 ** 50],
    ['1k', 1000],
    ['1M', 1e6],
    ['1G', 1e9],
    ['1T', 1e12],
    ['1P', 1e15],
    [134217728, 134217728],
    ['0.1Gi', 107374183], // 107374182.4, rounded up
    ['1.1Gi', 1181116007], // 1181116006.4, rounded up
    ['3500m', 4], // 3.5 bytes, rounded up like Quantity.Value()
    ['0.5', 1],
    ['1.5', 2],
    ['1e-9', 1],
    ['0', 0],
    // The Kubernetes documentation's "roughly the same value" examples.
    ['128974848', 128974848],
    ['129e6', 129000000],
    ['129M', 129000000],
    ['128974848000m', 128974848],
    ['123Mi', 128974848],
    ['9007199254740991', MAX],
  ];
  for (const [raw, expected] of cases) {
    it(`${label(raw)} → ${expected}`, () => expectValue(kubernetesBytes(raw), expected));
  }
  const failures: [unknown, RegExp][] = [
    ['8Pi', /too large/], // 2^53
    ['1Ei', /too large/],
    ['9007199254740992', /too large/],
    [1e21, /too large/],
    ['1e30', /too large/],
    ['-1Gi', /negative/],
    ['1gi', /not a valid suffix/],
    ['512mb', /not a valid suffix/],
    [false, /expected a quantity/],
  ];
  for (const [raw, reason] of failures) {
    it(`rejects ${label(raw)}`, () => expectFailure(kubernetesBytes(raw), reason));
  }
});

describe('kubernetesCount', () => {
  const cases: [unknown, number][] = [
    ['1', 1],
    [2, 2],
    ['1.0', 1],
    ['1000m', 1],
    ['1k', 1000],
    ['1e3', 1000],
    ['1Ki', 1024],
    ['0', 0],
  ];
  for (const [raw, expected] of cases) {
    it(`${label(raw)} → ${expected}`, () => expectValue(kubernetesCount(raw), expected));
  }
  const failures: [unknown, RegExp][] = [
    ['0.5', /whole number.*0\.5/],
    [0.5, /whole number/],
    ['500m', /whole number.*0\.5/],
    ['1.5', /whole number/],
    ['-1', /negative/],
    ['1e20', /too large/],
    ['gpu', /no digits/],
  ];
  for (const [raw, reason] of failures) {
    it(`rejects ${label(raw)}`, () => expectFailure(kubernetesCount(raw), reason));
  }
});

describe('resourceKind', () => {
  const cases: [string, string][] = [
    ['cpu', 'cpu'],
    ['requests.cpu', 'cpu'],
    ['limits.cpu', 'cpu'],
    ['memory', 'bytes'],
    ['limits.memory', 'bytes'],
    ['ephemeral-storage', 'bytes'],
    ['storage', 'bytes'],
    ['requests.storage', 'bytes'],
    ['hugepages-2Mi', 'bytes'],
    ['hugepages-1Gi', 'bytes'],
    ['nvidia.com/gpu', 'count'],
    ['requests.nvidia.com/gpu', 'count'],
    ['pods', 'count'],
  ];
  for (const [resource, kind] of cases) {
    it(`${resource} → ${kind}`, () => assert.equal(resourceKind(resource), kind));
  }
});

describe('checkResourceQuantity: valid quantities', () => {
  const cases: [string, unknown, number][] = [
    ['cpu', '500m', 500],
    ['cpu', 2, 2000],
    ['cpu', 0.5, 500],
    ['cpu', '0.1', 100],
    ['cpu', '1e-3', 1],
    ['cpu', '250000n', 1],
    ['cpu', '2k', 2_000_000], // absurdly large but valid: left alone
    ['cpu', ' 1 ', 1000],
    ['limits.cpu', '4', 4000],
    ['memory', '512Mi', 512 * Mi],
    ['memory', '1.5Gi', 1610612736],
    ['memory', '1G', 1e9],
    ['memory', '129e6', 129000000],
    ['memory', 134217728, 134217728],
    ['memory', '0', 0],
    ['memory', '1048576', Mi],
    ['ephemeral-storage', '10Gi', 10 * Gi],
    ['hugepages-2Mi', '4Mi', 4 * Mi],
    ['nvidia.com/gpu', 1, 1],
    ['nvidia.com/gpu', '2', 2],
    ['example.com/foo', '1k', 1000],
    ['pods', '110', 110],
  ];
  for (const [resource, raw, value] of cases) {
    it(`${resource}: ${label(raw)} → ${value}`, () => {
      assert.deepEqual(checkResourceQuantity(resource, raw), { value });
    });
  }
});

describe('checkResourceQuantity: mistakes', () => {
  type Case = [string, unknown, 'error' | 'warning', RegExp, string | undefined, number | undefined];
  const cases: Case[] = [
    [
      'memory',
      '512mb',
      'error',
      /"512mb" is not a valid Kubernetes quantity.*512Mi.*binary unit is usually what is meant/,
      '512Mi',
      undefined,
    ],
    ['memory', '512MB', 'error', /Did you mean 512Mi\?/, '512Mi', undefined],
    ['memory', '512Mb', 'error', /Did you mean 512Mi\?/, '512Mi', undefined],
    ['memory', '1GB', 'error', /Did you mean 1Gi\?.*Gi is assumed/, '1Gi', undefined],
    ['memory', '2gb', 'error', /Did you mean 2Gi\?/, '2Gi', undefined],
    ['memory', '1.5GB', 'error', /Did you mean 1\.5Gi\?/, '1.5Gi', undefined],
    ['memory', '64kb', 'error', /Did you mean 64Ki\?/, '64Ki', undefined],
    ['memory', '1K', 'error', /Did you mean 1Ki\?/, '1Ki', undefined],
    ['memory', '1KI', 'error', /Did you mean 1Ki\?.*case-sensitive/, '1Ki', undefined],
    ['memory', '1gi', 'error', /Did you mean 1Gi\?/, '1Gi', undefined],
    ['memory', '2GiB', 'error', /Did you mean 2Gi\?/, '2Gi', undefined],
    ['memory', '1tb', 'error', /Did you mean 1Ti\?/, '1Ti', undefined],
    ['memory', '2097152 bytes', 'error', /Did you mean 2097152\?/, '2097152', undefined],
    ['memory', '100bytes', 'error', /Did you mean 100\?/, '100', undefined], // itself warned about: 100 bytes
    ['memory', '1,000', 'error', /Did you mean 1000\?/, '1000', undefined],
    ['memory', '512 Mi', 'error', /Spaces .* not allowed/, '512Mi', undefined],
    ['memory', '512 m', 'error', /Did you mean 512Mi\?/, '512Mi', undefined],
    ['memory', '1,024Mi', 'error', /thousands separators/, '1024Mi', undefined],
    ['memory', '15,238Mi', 'error', /Did you mean 15238Mi\?/, '15238Mi', undefined],
    ['memory', '3500m', 'warning', /^3500m is 3\.5 bytes \(m means milli\); did you mean 3500Mi\?$/, '3500Mi', 4],
    ['memory', '0.5m', 'warning', /0\.5m is 0\.0005 bytes/, '0.5Mi', 1],
    ['memory', '100u', 'warning', /0\.0001 bytes \(u means micro\)/, undefined, 1],
    ['memory', '512', 'warning', /512 is only 512 bytes; did you mean 512Mi\?/, '512Mi', 512],
    ['memory', 256, 'warning', /did you mean 256Mi\?/, '256Mi', 256],
    ['ephemeral-storage', '10gb', 'error', /Did you mean 10Gi\?/, '10Gi', undefined],
    [
      'memory',
      '1iG',
      'error',
      /"1iG" is not a valid Kubernetes quantity: "iG" is not a valid suffix/,
      undefined,
      undefined,
    ],
    ['memory', '-512Mi', 'error', /negative/, undefined, undefined],
    ['memory', '8Pi', 'error', /too large/, undefined, undefined],
    [
      'cpu',
      '100Mi',
      'error',
      /binary suffixes are not meaningful for CPU: 100Mi would be 104,857,600 cores.*100m/,
      '100m',
      undefined,
    ],
    ['cpu', '1Ki', 'error', /1Ki would be 1,024 cores/, '1m', undefined],
    ['cpu', '0.5Gi', 'error', /0\.5Gi would be 536,870,912 cores/, '0.5m', undefined],
    ['cpu', '100 Mi', 'error', /Did you mean 100m\?/, '100m', undefined],
    ['cpu', '500mi', 'error', /"500mi" is not a valid Kubernetes quantity\. Did you mean 500m\?/, '500m', undefined],
    ['cpu', '500MI', 'error', /Did you mean 500m\?/, '500m', undefined],
    ['cpu', '500 m', 'error', /Did you mean 500m\?/, '500m', undefined],
    ['cpu', '500 millicores', 'error', /Did you mean 500m\?/, '500m', undefined],
    ['cpu', '500mcpu', 'error', /Did you mean 500m\?/, '500m', undefined],
    ['cpu', '1 core', 'error', /Did you mean 1\?.*number of cores/, '1', undefined],
    ['cpu', '2cores', 'error', /Did you mean 2\?/, '2', undefined],
    ['cpu', '0.5cpu', 'error', /Did you mean 0\.5\?/, '0.5', undefined],
    ['cpu', '2 vCPUs', 'error', /Did you mean 2\?/, '2', undefined],
    ['cpu', '1.2.3', 'error', /more than one decimal point/, undefined, undefined],
    ['cpu', 'Gi', 'error', /no digits/, undefined, undefined],
    ['cpu', '--1', 'error', /not a valid Kubernetes quantity/, undefined, undefined],
    ['cpu', '-1', 'error', /negative/, undefined, undefined],
    ['cpu', -0.5, 'error', /negative/, undefined, undefined],
    ['cpu', '1e99999', 'error', /out of range/, undefined, undefined],
    ['cpu', '9007199254740992m', 'error', /too large/, undefined, undefined],
    ['nvidia.com/gpu', 0.5, 'error', /must be a whole number, not 0\.5/, undefined, undefined],
    ['nvidia.com/gpu', '500m', 'error', /must be a whole number, but 500m is 0\.5/, undefined, undefined],
    ['nvidia.com/gpu', '-1', 'error', /negative/, undefined, undefined],
    ['nvidia.com/gpu', '1 gpu', 'error', /not a valid Kubernetes quantity/, undefined, undefined],
  ];
  for (const [resource, raw, severity, message, replacement, value] of cases) {
    it(`${resource}: ${label(raw)}`, () => {
      const check = checkResourceQuantity(resource, raw);
      assert.ok(check.problem, 'expected a problem');
      assert.equal(check.problem.severity, severity);
      assert.match(check.problem.message, message);
      assert.equal(check.problem.replacement, replacement);
      assert.equal(check.value, value);
      if (replacement !== undefined && severity === 'error') {
        // A quick fix must itself be valid.
        const fixed = checkResourceQuantity(resource, replacement);
        assert.notEqual(fixed.value, undefined);
        assert.notEqual(fixed.problem?.severity, 'error');
      }
    });
  }

  for (const raw of ['', '  ', null, undefined, true, false, {}, [], Number.NaN]) {
    it(`memory: ${label(raw)} → "expected a quantity"`, () => {
      const check = checkResourceQuantity('memory', raw);
      assert.equal(check.value, undefined);
      assert.equal(check.problem?.severity, 'error');
      assert.match(check.problem?.message ?? '', /^expected a quantity such as 512Mi, got /);
    });
  }
  it('names the example by resource kind', () => {
    assert.match(checkResourceQuantity('cpu', null).problem?.message ?? '', /such as 500m, got null/);
    assert.match(checkResourceQuantity('nvidia.com/gpu', '').problem?.message ?? '', /such as 1, got an empty string/);
  });
});

describe('dockerBytes (go-units RAMInBytes, all units binary, truncated)', () => {
  const cases: [unknown, number][] = [
    ['300M', 314572800],
    ['300m', 314572800],
    ['300mb', 314572800],
    ['300MB', 314572800],
    ['300Mb', 314572800],
    ['300MiB', 314572800],
    ['300mib', 314572800],
    ['512MiB', 512 * Mi],
    ['512Mi', 512 * Mi], // the regex admits "i" without "b"
    ['512 MiB', 512 * Mi],
    ['1.5g', 1610612736],
    ['1.5G', 1610612736],
    ['2 GB', 2 * Gi],
    ['2 g', 2 * Gi],
    ['1k', Ki],
    ['1K', Ki],
    ['1kb', Ki],
    ['1t', 2 ** 40],
    ['1p', 2 ** 50],
    ['7p', 7 * 2 ** 50],
    ['1024', 1024],
    [1024, 1024],
    [0, 0],
    ['0', 0],
    ['1b', 1],
    ['1B', 1],
    ['1ib', 1], // regex: no unit, then "i" and "b"
    ['1i', 1],
    ['1 ', 1], // regex: the optional space with nothing after it
    ['1.9', 1], // truncated toward zero, like int64(float)
    [1.9, 1],
    ['0.1k', 102], // 102.4 truncated
    ['0.0001g', 107374], // 107374.1824 truncated
    ['0.29g', 311385128], // 311385128.96 truncated, computed exactly
    ['9007199254740991', MAX],
    [MAX, MAX],
  ];
  for (const [raw, expected] of cases) {
    it(`${label(raw)} → ${expected}`, () => expectValue(dockerBytes(raw), expected));
  }
  const failures: [unknown, RegExp][] = [
    ['1.5.5m', /decimal point/],
    ['', /empty/],
    [' 1g', /optional unit/],
    ['1  GB', /optional unit/],
    ['1 GB ', /optional unit/],
    ['.5g', /optional unit/],
    ['5.g', /optional unit/],
    ['1e3', /optional unit/],
    ['1Ei', /optional unit/],
    ['1kk', /optional unit/],
    ['1bb', /optional unit/],
    ['1bi', /optional unit/],
    ['g', /optional unit/],
    ['+1', /optional unit/],
    ['1,024', /optional unit/],
    ['-1', /negative/],
    [-1, /negative/],
    ['8p', /too large/],
    [2 ** 53, /too large/],
    [1e21, /too large/],
    [null, /expected a quantity/],
    [true, /expected a quantity/],
  ];
  for (const [raw, reason] of failures) {
    it(`rejects ${label(raw)}`, () => expectFailure(dockerBytes(raw), reason));
  }
});

describe('dockerCpuMillicores (NanoCPUs precision, rounded up to millicores)', () => {
  const cases: [unknown, number][] = [
    ['0.5', 500],
    [0.5, 500],
    [2, 2000],
    ['2', 2000],
    ['1.25', 1250],
    [1.25, 1250],
    ['0.1', 100],
    [0.1, 100],
    ['0.29', 290],
    ['4.35', 4350],
    ['1.005', 1005],
    ['.5', 500],
    ['5.', 5000],
    ['+1', 1000],
    ['1e-3', 1],
    ['1.5e1', 15000],
    ['0', 0],
    ['0.001', 1],
    ['0.0001', 1],
    ['0.000000001', 1],
    ['1.000000001', 1001],
    ['9007199254740.991', MAX],
  ];
  for (const [raw, expected] of cases) {
    it(`${label(raw)} → ${expected}m`, () => expectValue(dockerCpuMillicores(raw), expected));
  }
  const failures: [unknown, RegExp][] = [
    ['0.0000000001', /too precise/],
    ['1.0000000001', /too precise/],
    [1e-10, /too precise/],
    ['-1', /negative/],
    [-0.5, /negative/],
    ['500m', /number of CPUs/],
    ['1/2', /number of CPUs/],
    ['1.2.3', /number of CPUs/],
    ['', /empty/],
    [null, /expected a quantity/],
    ['9007199254740.992', /too large/],
  ];
  for (const [raw, reason] of failures) {
    it(`rejects ${label(raw)}`, () => expectFailure(dockerCpuMillicores(raw), reason));
  }
});

describe('checkComposeQuantity', () => {
  const valid: ['memory' | 'cpus', unknown, number][] = [
    ['memory', '512mb', 512 * Mi],
    ['memory', '1.5g', 1610612736],
    ['memory', '512Mi', 512 * Mi],
    ['memory', '2 GB', 2 * Gi],
    ['memory', 0, 0],
    ['memory', 2 * Mi, 2 * Mi],
    ['cpus', '0.5', 500],
    ['cpus', 2, 2000],
  ];
  for (const [kind, raw, value] of valid) {
    it(`${kind}: ${label(raw)} → ${value}`, () => assert.deepEqual(checkComposeQuantity(kind, raw), { value }));
  }

  type Case = ['memory' | 'cpus', unknown, 'error' | 'warning', RegExp, string | undefined, number | undefined];
  const problems: Case[] = [
    ['memory', '1024', 'warning', /1024 is only 1024 bytes; did you mean 1024m \(MiB\)\?/, '1024m', 1024],
    ['memory', 512, 'warning', /did you mean 512m/, '512m', 512],
    ['memory', '2  GB', 'error', /"2 {2}GB" is not a valid Compose memory size\. Did you mean 2GB\?/, '2GB', undefined],
    ['memory', ' 1g', 'error', /Did you mean 1g\?/, '1g', undefined],
    ['memory', '.5g', 'error', /Did you mean 0\.5g\?/, '0.5g', undefined],
    ['memory', '1,024m', 'error', /Did you mean 1024m\?/, '1024m', undefined],
    ['memory', '512 megabytes', 'error', /Did you mean 512m\?/, '512m', undefined],
    ['memory', '1.5.5m', 'error', /not a valid Compose memory size: more than one decimal point/, undefined, undefined],
    ['memory', '1Ei', 'error', /not a valid Compose memory size/, undefined, undefined],
    ['memory', '-1', 'error', /negative/, undefined, undefined],
    ['memory', null, 'error', /expected a value such as 512m, got null/, undefined, undefined],
    ['memory', '', 'error', /got an empty string/, undefined, undefined],
    ['cpus', '500m', 'error', /"500m" is not a valid Compose cpus value\. Did you mean 0\.5\?/, '0.5', undefined],
    ['cpus', '250 millicores', 'error', /Did you mean 0\.25\?/, '0.25', undefined],
    ['cpus', '1 core', 'error', /Did you mean 1\?/, '1', undefined],
    ['cpus', '0.5cpu', 'error', /Did you mean 0\.5\?/, '0.5', undefined],
    ['cpus', '2 vcpus', 'error', /Did you mean 2\?/, '2', undefined],
    ['cpus', ' 0.5', 'error', /Did you mean 0\.5\?/, '0.5', undefined],
    ['cpus', '0.0000000001', 'error', /too precise/, undefined, undefined],
    ['cpus', '-2', 'error', /negative/, undefined, undefined],
    ['cpus', true, 'error', /expected a value such as 0\.5, got boolean true/, undefined, undefined],
  ];
  for (const [kind, raw, severity, message, replacement, value] of problems) {
    it(`${kind}: ${label(raw)}`, () => {
      const check = checkComposeQuantity(kind, raw);
      assert.ok(check.problem, 'expected a problem');
      assert.equal(check.problem.severity, severity);
      assert.match(check.problem.message, message);
      assert.equal(check.problem.replacement, replacement);
      assert.equal(check.value, value);
      if (replacement !== undefined && severity === 'error') {
        assert.deepEqual(Object.keys(checkComposeQuantity(kind, replacement)), ['value']);
      }
    });
  }
});

describe('formatting', () => {
  const millicores: [number, string][] = [
    [1500, '1500m'],
    [2000, '2'],
    [0, '0'],
    [1, '1m'],
    [999, '999m'],
    [12000, '12'],
  ];
  for (const [m, text] of millicores) {
    it(`formatMillicores(${m}) = ${text}`, () => assert.equal(formatMillicores(m), text));
    it(`toKubernetesCpu(${m}) = ${text}`, () => assert.equal(toKubernetesCpu(m), text));
  }

  const bytes: [number, string, string][] = [
    [15978201088, '15,238Mi', '15238Mi'],
    [8589934592, '8Gi', '8Gi'],
    [1610612736, '1,536Mi', '1536Mi'],
    [536870912, '512Mi', '512Mi'],
    [Gi, '1Gi', '1Gi'],
    [Mi, '1Mi', '1Mi'],
    [Ki, '1Ki', '1Ki'],
    [1025 * Ki, '1,025Ki', '1025Ki'],
    [2 ** 40, '1Ti', '1Ti'],
    [3 * 2 ** 50, '3Pi', '3Pi'],
    [1000, '1,000', '1000'],
    [1536, '1,536', '1536'],
    [1234567, '1,234,567', '1234567'],
    [129000000, '129,000,000', '129000000'],
    [128974848, '123Mi', '123Mi'],
    [0, '0', '0'],
    [MAX, '9,007,199,254,740,991', '9007199254740991'],
    [-2048, '-2Ki', '-2Ki'],
  ];
  for (const [value, human, manifest] of bytes) {
    it(`formatBytes(${value}) = ${human}`, () => assert.equal(formatBytes(value), human));
    it(`toKubernetesMemory(${value}) = ${manifest}`, () => assert.equal(toKubernetesMemory(value), manifest));
  }

  const byResource: [string, number, string][] = [
    ['cpu', 1500, '1500m'],
    ['limits.cpu', 3000, '3'],
    ['memory', Gi, '1Gi'],
    ['ephemeral-storage', 1610612736, '1,536Mi'],
    ['hugepages-2Mi', 4 * Mi, '4Mi'],
    ['nvidia.com/gpu', 2, '2'],
    ['pods', 1100, '1100'],
  ];
  for (const [resource, value, text] of byResource) {
    it(`formatQuantityForResource(${resource}, ${value}) = ${text}`, () => {
      assert.equal(formatQuantityForResource(resource, value), text);
    });
  }

  const percents: [number, number, string][] = [
    [15238, 8192, '186%'],
    [1, 2, '50%'],
    [1, 3, '33%'],
    [2, 3, '67%'],
    [3, 8, '38%'], // 37.5 rounds half up
    [1, 200, '1%'], // 0.5 rounds half up
    [1, 201, '0%'],
    [0, 5, '0%'],
    [-3, 200, '-1%'], // -1.5 rounds half up to -1
    [MAX, 1, '900719925474099100%'],
    [MAX, MAX - 1, '100%'],
    [5, 0, '∞%'],
    [0, 0, '0%'],
  ];
  for (const [numerator, denominator, text] of percents) {
    it(`formatPercent(${numerator}, ${denominator}) = ${text}`, () =>
      assert.equal(formatPercent(numerator, denominator), text));
  }

  it('exactDecimal', () => {
    assert.equal(exactDecimal(7n, 2n), '3.5');
    assert.equal(exactDecimal(-1n, 4n), '-0.25');
    assert.equal(exactDecimal(1n, -4n), '-0.25');
    assert.equal(exactDecimal(5n, 1n), '5');
    assert.equal(exactDecimal(0n, 7n), '0');
    assert.equal(exactDecimal(6n, 15n), '0.4');
    assert.equal(exactDecimal(1n, 1024n), '0.0009765625');
    assert.equal(exactDecimal(1n, 3n), undefined);
    assert.equal(exactDecimal(1n, 0n), undefined);
  });

  it('groupThousands', () => {
    assert.equal(groupThousands(0), '0');
    assert.equal(groupThousands(999), '999');
    assert.equal(groupThousands(1000), '1,000');
    assert.equal(groupThousands(-1234567), '-1,234,567');
    assert.equal(groupThousands(10n ** 21n), '1,000,000,000,000,000,000,000');
    assert.equal(groupThousands('1234.5678'), '1,234.5678');
  });
});

describe('round trips', () => {
  // Deterministic pseudo-random values across the safe range (and small ones).
  const values: number[] = [0, 1, 999, 1000, 1001, Ki, Mi - 1, Gi + Ki];
  let seed = 12345;
  for (let i = 0; i < 200; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const scale = 2 ** (i % 3 === 0 ? seed % 33 : seed % 53);
    values.push(Math.floor((seed / 2 ** 31) * scale) * (i % 3 === 0 ? Mi : 1));
  }
  it('toKubernetesMemory / toKubernetesCpu parse back to the same value', () => {
    for (const value of values) {
      expectValue(kubernetesBytes(toKubernetesMemory(value)), value);
      expectValue(kubernetesCpuMillicores(toKubernetesCpu(value)), value);
    }
  });
  it('a pasted formatBytes string gets a replacement that parses back to the same value', () => {
    for (const value of values) {
      const text = formatBytes(value);
      const check = checkResourceQuantity('memory', text);
      const fixed = text.includes(',') ? check.problem?.replacement : text;
      assert.ok(fixed, `no replacement for ${text}`);
      expectValue(kubernetesBytes(fixed), value);
    }
  });
});

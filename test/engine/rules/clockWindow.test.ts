// When findings stop holding as far as the clock goes (usage/snapshot-stale is the one rule that reads it):
// stored results (check --cache, the server's start snapshot) are used only inside this window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validUntil, withinWindow } from '../../../server/src/engine/rules/usage/clockWindow';

const NOW = Date.UTC(2026, 11, 8);
const DAY = 86_400_000;

describe('clockWindow', () => {
  it('computes that time from each dated usage snapshot and its maxAge', () => {
    assert.equal(validUntil(NOW, []), null);
    assert.equal(validUntil(NOW, [{ takenAt: undefined, maxAgeMs: undefined }]), null);
    // Taken 13 days ago, default maxAge 14 days: stale in a day.
    assert.equal(validUntil(NOW, [{ takenAt: NOW - 13 * DAY, maxAgeMs: undefined }]), NOW + DAY);
    assert.equal(
      validUntil(NOW, [
        { takenAt: NOW - 13 * DAY, maxAgeMs: undefined },
        { takenAt: NOW - DAY, maxAgeMs: 3 * DAY },
      ]),
      NOW + DAY,
    );
    assert.equal(validUntil(NOW, [{ takenAt: NOW - DAY, maxAgeMs: 1.5 * DAY }]), NOW + DAY / 2);
    // Taken "in the future" (a wrong clock): holds until that stops being more than 5 minutes ahead.
    assert.equal(validUntil(NOW, [{ takenAt: NOW + DAY, maxAgeMs: undefined }]), NOW + DAY - 5 * 60_000);
    // Already stale: stays stale.
    assert.equal(validUntil(NOW, [{ takenAt: NOW - 20 * DAY, maxAgeMs: undefined }]), null);
  });

  it('a window holds from when it was computed until just before its end', () => {
    const window = { computedAt: NOW, validUntil: NOW + DAY };
    assert.equal(withinWindow(window, NOW), true);
    assert.equal(withinWindow(window, NOW + DAY - 1), true);
    assert.equal(withinWindow(window, NOW + DAY), false);
    assert.equal(withinWindow(window, NOW - 1), false, 'a clock set back');
    assert.equal(withinWindow({ computedAt: NOW, validUntil: null }, NOW + 1000 * DAY), true);
  });
});

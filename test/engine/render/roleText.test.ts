// One wording of what applying a phase does to each rendered object (the CLI's and the editor's confirmations, messages).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { roleAction, roleVerb } from '../../../server/src/engine/render/roleText';

describe('role texts', () => {
  it('says each role as an instruction, the subject where it reads naturally', () => {
    assert.equal(roleAction('created', 'Deployment shop/api'), 'create Deployment shop/api');
    assert.equal(roleAction('service', 'Service shop/cart'), 're-point Service shop/cart');
    assert.equal(roleAction('scaled-down', 'Deployment shop/web'), 'scale Deployment shop/web to 0');
    assert.equal(roleAction('changed', 'Deployment shop/db'), 'change Deployment shop/db');
  });

  it('says each role in the third person for sentences about a phase', () => {
    assert.deepEqual(
      ['service', 'scaled-down', 'changed'].map((r) => roleVerb(r as 'service')),
      ['re-points', 'scales down', 'changes'],
    );
  });
});

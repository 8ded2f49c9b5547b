import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { slotNameFromMemberName } from '../../../src/postgresql/slots.js';

describe('slot names for members (slot_name_from_member_name)', () => {
  test('lowercase, - and . become _', () => {
    assert.equal(slotNameFromMemberName('Node-1.example.com'), 'node_1_example_com');
  });
  test('other characters become u + 4-digit decimal code point', () => {
    assert.equal(slotNameFromMemberName('a b'), 'au0032b');
    assert.equal(slotNameFromMemberName('x@y'), 'xu0064y');
    assert.equal(slotNameFromMemberName('ä'), 'u0228');
    assert.equal(slotNameFromMemberName('😀'), 'u128512');
  });
  test('truncated to 63 characters', () => {
    assert.equal(slotNameFromMemberName('n'.repeat(80)).length, 63);
  });
});

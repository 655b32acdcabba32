import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RAG_SCALE, TARGET_SCALE, checkScale, statusKeyFromLabel, textColourOn } from './status-scale.ts';

describe('status scales', () => {
  it('ships Red/Amber/Green, best first, with a reason needed for amber and red', () => {
    assert.deepEqual(
      RAG_SCALE.map((s) => [s.label, s.commentRequired]),
      [
        ['Green', false],
        ['Amber', true],
        ['Red', true],
      ],
    );
  });
  it('gives every default status a distinct shape, so colour is never the only signal', () => {
    for (const scale of [RAG_SCALE, TARGET_SCALE]) assert.equal(new Set(scale.map((s) => s.shape)).size, scale.length);
  });
  it('accepts the On target / Behind target / Failing scale as it is', () => {
    assert.deepEqual(checkScale(TARGET_SCALE), []);
  });
  it('names the row of a duplicated key or label', () => {
    const issues = checkScale([...RAG_SCALE, { ...RAG_SCALE[0]!, label: 'green' }]);
    assert.deepEqual(
      issues.map((i) => i.field),
      ['statuses.3.key', 'statuses.3.label'],
    );
  });
  it('refuses an empty scale', () => {
    assert.equal(checkScale([])[0]?.field, 'statuses');
  });
  it('makes keys from labels', () => {
    assert.equal(statusKeyFromLabel('Behind target'), 'behind-target');
    assert.equal(statusKeyFromLabel('Gohiriwyd – ŵ'), 'gohiriwyd-w');
    assert.equal(statusKeyFromLabel('!!!'), 'status');
  });
  it('chooses text that reads on the colour', () => {
    assert.equal(textColourOn('#ffdd00'), '#0b0c0c');
    assert.equal(textColourOn('#00703c'), '#ffffff');
    assert.equal(textColourOn('#d4351c'), '#ffffff');
  });
});

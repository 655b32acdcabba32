import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSlug, slugFor } from './organisation-slug.ts';

describe('organisation slugs', () => {
  it('makes a URL name from a council name', () => {
    assert.equal(slugFor('Leeds City Council'), 'leeds-city-council');
    assert.equal(slugFor('Ynys Môn / Isle of Anglesey'), 'ynys-mon-isle-of-anglesey');
    assert.equal(slugFor('Brighton & Hove'), 'brighton-and-hove');
    assert.equal(slugFor('  --  '), 'organisation');
    assert.ok(slugFor('x'.repeat(200)).length <= 50);
  });
  it('accepts only lowercase words joined by single hyphens', () => {
    assert.ok(isSlug('leeds'));
    assert.ok(isSlug('local-partnerships-2'));
    for (const bad of ['Leeds', 'leeds--city', '-leeds', 'leeds-', 'leeds city', '', 'a'.repeat(61), '../x'])
      assert.equal(isSlug(bad), false, bad);
  });
});

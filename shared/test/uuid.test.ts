import { describe, expect, it } from 'vitest';
import { isUuid } from '../src/db/uuid.js';

describe('isUuid', () => {
  it('accepts the canonical lower-case form only', () => {
    expect(isUuid('0196a3c2-8f1e-7b4d-9a2c-3d4e5f6a7b8c')).toBe(true);
    expect(isUuid('0196A3C2-8F1E-7B4D-9A2C-3D4E5F6A7B8C')).toBe(false);
    expect(isUuid('not-a-uuid')).toBe(false);
    expect(isUuid(' 0196a3c2-8f1e-7b4d-9a2c-3d4e5f6a7b8c')).toBe(false);
  });
});

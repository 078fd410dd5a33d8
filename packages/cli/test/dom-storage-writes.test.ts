import { describe, expect, test } from 'vitest';
import { domStorageWrite } from '../src/dom-storage-writes.js';

describe('domStorageWrite', () => {
  test("a DOMStorage event's key on its origin, partitioned storage of a frame of another site included", () => {
    expect(
      domStorageWrite({
        storageId: {
          securityOrigin: 'https://px.example',
          storageKey: 'https://px.example/^0https://edx.org',
          isLocalStorage: true,
        },
        key: 'uid',
      }),
    ).toEqual({ area: 'localStorage', name: 'uid', origin: 'https://px.example' });
    expect(
      domStorageWrite({ storageId: { storageKey: 'https://www.edx.org/', isLocalStorage: false }, key: 's' }),
    ).toEqual({
      area: 'sessionStorage',
      name: 's',
      origin: 'https://www.edx.org',
    });
  });

  test('an opaque origin or a malformed event is no write', () => {
    expect(
      domStorageWrite({ storageId: { securityOrigin: 'null', storageKey: 'null', isLocalStorage: true }, key: 'k' }),
    ).toBeNull();
    expect(domStorageWrite({ storageId: null, key: 'k' })).toBeNull();
    expect(domStorageWrite({ key: 'k' })).toBeNull();
  });
});

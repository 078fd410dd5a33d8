import { describe, expect, test } from 'vitest';
import { readWrite } from '../src/page-writes.js';

describe('readWrite', () => {
  test('a cookie report names the cookie as the jar does, on the host of the origin that wrote it, without its value', () => {
    expect(readWrite('cookie\nhttps://www.edx.org:8443\n_ga=GA1.2; Domain=edx.org')).toEqual({
      cookie: { name: '_ga', domain: '.edx.org' },
    });
    expect(readWrite('cookie\nhttp://www.edx.org\nid=secret')).toEqual({
      cookie: { name: 'id', domain: 'www.edx.org' },
    });
    expect(JSON.stringify(readWrite('cookie\nhttp://www.edx.org\nid=secret'))).not.toContain('secret');
  });

  test('a deletion, a cookieStore write with an expiry in the past, or a write without name or value sets nothing', () => {
    expect(readWrite('cookie\nhttps://www.edx.org\nid=; Max-Age=0')).toBeNull();
    expect(readWrite('cookie\nhttps://www.edx.org\nid=; Max-Age=-5')).toBeNull();
    expect(readWrite('cookie\nhttps://www.edx.org\n=')).toBeNull();
  });

  test("a nameless cookie is a cookie named '', as Chrome stores it", () => {
    expect(readWrite('cookie\nhttps://www.edx.org\n=1')).toEqual({ cookie: { name: '', domain: 'www.edx.org' } });
    expect(readWrite('cookie\nhttps://www.edx.org\nabc123uid; path=/')).toEqual({
      cookie: { name: '', domain: 'www.edx.org' },
    });
  });

  test('an ICE server (STUN or TURN) a page gives a peer connection is a request to its host', () => {
    expect(readWrite('request\nhttps://www.edx.org\nstun:stun.vendor.example:3478')).toEqual({
      request: { url: 'stun:stun.vendor.example:3478' },
    });
    expect(readWrite('request\nhttps://www.edx.org\nturns:turn.vendor.example?transport=tcp')).toEqual({
      request: { url: 'turns:turn.vendor.example?transport=tcp' },
    });
    expect(readWrite('request\nhttps://www.edx.org\nhttps://www.edx.org/')).toBeNull();
  });

  test('a storage report is the key, database, cache or file on its origin; a key may hold newlines', () => {
    expect(readWrite('cacheStorage\nhttps://www.edx.org\nuid-cache')).toEqual({
      storage: { area: 'cacheStorage', name: 'uid-cache', origin: 'https://www.edx.org' },
    });
    expect(readWrite('fileSystem\nhttps://www.edx.org\nuid')).toEqual({
      storage: { area: 'fileSystem', name: 'uid', origin: 'https://www.edx.org' },
    });
    expect(readWrite('localStorage\nhttps://www.edx.org\najs_user_id')).toEqual({
      storage: { area: 'localStorage', name: 'ajs_user_id', origin: 'https://www.edx.org' },
    });
    expect(readWrite('indexedDB\nhttps://www.edx.org\ntracker-db')).toEqual({
      storage: { area: 'indexedDB', name: 'tracker-db', origin: 'https://www.edx.org' },
    });
    expect(readWrite('sessionStorage\nhttp://localhost:3000\na\nb')).toEqual({
      storage: { area: 'sessionStorage', name: 'a\nb', origin: 'http://localhost:3000' },
    });
  });

  test('anything else is no write: another kind, an opaque or non-http origin, a malformed report', () => {
    expect(readWrite('webSQL\nhttps://www.edx.org\nx')).toBeNull();
    expect(readWrite('cookie\nnull\nid=1')).toBeNull();
    expect(readWrite('localStorage\nfile:///tmp\nid')).toBeNull();
    expect(readWrite('cookie https://www.edx.org id=1')).toBeNull();
    expect(readWrite({ kind: 'cookie' })).toBeNull();
  });
});

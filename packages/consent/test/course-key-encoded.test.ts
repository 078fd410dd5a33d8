import { describe, expect, it } from 'vitest';
import { base64Texts, hexTexts, textsOfBytes } from '../src/course-key.js';

const key = 'course-v1:OtherX+CS50+2024';
const b64 = (text: string, encoding: BufferEncoding = 'utf8') => Buffer.from(text, encoding).toString('base64');

describe('text hidden in base64 and hex is read decoded (in the browser too: no Buffer)', () => {
  it('reads base64 and base64url, glued to a prefix or a suffix, wrapped over lines', () => {
    const json = `{"course":"${key}"}`;
    expect(base64Texts(`state=${b64(json)}`)).toContain(json);
    expect(base64Texts(`state=${Buffer.from(json).toString('base64url')}`)).toContain(json);
    expect(base64Texts(`x-${b64(json)}_v2`).join('\n')).toContain(key);
    const wrapped = b64(json.repeat(3)).replace(/.{20}/g, '$&\n');
    expect(base64Texts(wrapped).join('\n')).toContain(key);
  });

  it('reads UTF-16 base64, little- and big-endian', () => {
    expect(base64Texts(b64(key, 'utf16le')).join('\n')).toContain(key);
    const big = Buffer.from(key, 'utf16le').swap16().toString('base64');
    expect(base64Texts(big).join('\n')).toContain(key);
  });

  it('reads hex, either case, glued to a hex letter', () => {
    const hex = Buffer.from(key).toString('hex');
    expect(hexTexts(`state=${hex}`)).toContain(key);
    expect(hexTexts(hex.toUpperCase())).toContain(key);
    expect(hexTexts(`a${hex}`).join('\n')).toContain(key);
    expect(hexTexts(Buffer.from(key, 'utf16le').toString('hex')).join('\n')).toContain(key);
  });

  it('decodes as Node’s Buffer does, but keeps no garbage', () => {
    for (const text of [key, 'MITx+6.002x', 'é ü 漢字 course'])
      expect(textsOfBytes(Uint8Array.from(Buffer.from(text)))).toEqual([Buffer.from(text).toString('utf8')]);
    expect(textsOfBytes(Uint8Array.from([0xff, 0xfe, 1, 2]))).toEqual([]);
    expect(base64Texts('short')).toEqual([]);
    expect(hexTexts('deadbeef')).toEqual([]);
  });
});

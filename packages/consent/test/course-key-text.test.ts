import { describe, expect, it } from 'vitest';
import { decodeTextOnce } from '../src/course-key.js';

describe('decodeTextOnce', () => {
  it('decodes one level of percent escapes, code escapes and HTML character references', () => {
    expect(decodeTextOnce('course-v1&#58;MITx&plus;6.00x&#x2B;2026')).toBe('course-v1:MITx+6.00x+2026');
    expect(decodeTextOnce('course-v1\\u003aMITx\\x2b6.00x%u002B2026')).toBe('course-v1:MITx+6.00x+2026');
    expect(decodeTextOnce('course-v1%253AMITx')).toBe('course-v1%3AMITx');
    expect(decodeTextOnce('a &unknown; b &#0; \\u{110000}')).toBe('a &unknown; b &#0; \\u{110000}');
  });
});

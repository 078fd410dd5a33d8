// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { controlName } from '../src/control-name.js';

afterEach(() => document.body.replaceChildren());

const el = (html: string, selector = '[data-x]') => {
  document.body.innerHTML = html;
  return document.querySelector(selector)!;
};

describe('controlName', () => {
  it.each([
    ['data-track wins', '<button data-x data-track="enroll-cta" aria-label="Enroll">Enroll now</button>', 'enroll-cta'],
    ['aria-label', '<button data-x aria-label="Close dialog">×</button>', 'Close dialog'],
    [
      'aria-labelledby',
      '<span id="a">Course</span><span id="b">menu</span><div role="button" data-x aria-labelledby="a b">≡</div>',
      'Course menu',
    ],
    ['text, whitespace collapsed', '<button data-x>\n  Next\n   unit </button>', 'Next unit'],
    ['summary text', '<details><summary data-x>Show transcript</summary>…</details>', 'Show transcript'],
    ['title', '<button data-x title="Bookmark"><svg></svg></button>', 'Bookmark'],
    ['image alt', '<a data-x href="/"><img alt="edX home"></a>', 'edX home'],
    ['caption of an input button', '<input data-x type="submit" value="Sign in">', 'Sign in'],
    ['a checkbox by its label', '<label for="c">Dark mode</label><input data-x id="c" type="checkbox">', 'Dark mode'],
    [
      'a select by its wrapping label, without its options',
      '<label>Language <select data-x name="lang"><option>Español</option></select></label>',
      'Language',
    ],
    [
      'a select without label by its name',
      '<select data-x name="sort"><option selected>Newest</option></select>',
      'sort',
    ],
  ])('%s', (_, html, expected) => {
    expect(controlName(el(html))).toBe(expected);
  });

  it('never reads what a learner typed into a field', () => {
    const input = el('<input data-x type="text" name="q" placeholder="Search">') as HTMLInputElement;
    input.value = 'my secret search';
    expect(controlName(input)).toBe('q');
    const area = el('<label for="t">Your answer</label><textarea data-x id="t"></textarea>') as HTMLTextAreaElement;
    area.value = 'typed text';
    expect(controlName(area)).toBe('Your answer');
  });

  it("never reads editable text, a select's options or a radio's own label (the option chosen)", () => {
    const cases: [string, string][] = [
      // A container named by its text, holding an editor the learner types into.
      ['<div data-x data-track=""><div contenteditable="true">typed-secret</div><b>Post</b></div>', 'Post'],
      // Text inside an editor (its own or inherited editability).
      ['<div contenteditable="true"><span role="button" data-x>typed-secret</span></div>', ''],
      ['<summary data-x>Filter <select><option>a@secret.example</option></select></summary>', 'Filter'],
      [
        '<span id="l">Country <select><option>b@secret.example</option></select></span><button data-x aria-labelledby="l">x</button>',
        'Country',
      ],
      [
        '<span><select id="s"><option>c@secret.example</option></select></span><button data-x aria-labelledby="s">Go</button>',
        'Go',
      ],
      [
        '<label><input data-x type="checkbox"> Notify <span contenteditable="true">typed-secret</span></label>',
        'Notify',
      ],
      ['<label><input data-x type="radio" name="age"> 18-24-secret</label>', 'age'],
      ['<input data-x type="radio" name="plan" aria-label="premium-secret" title="premium-secret">', 'plan'],
      ['<input data-x type="radio" name="plan" data-track="plan-choice">', 'plan-choice'],
      // A custom select shows the option chosen; an ARIA text box holds what was typed.
      [
        '<span id="l">Country</span><div data-x role="button" aria-haspopup="listbox" aria-labelledby="l s" id="s">Nigeria-secret</div>',
        'Country',
      ],
      ['<div data-x role="button" aria-haspopup="listbox">Female-secret</div>', ''],
      ['<div data-x role="combobox">Female-secret</div>', ''],
      ['<div id="t" role="textbox">typed-secret</div><button data-x aria-labelledby="t">Save</button>', 'Save'],
      ['<button data-x>Find <span role="searchbox">typed-secret</span></button>', 'Find'],
    ];
    for (const [html, expected] of cases) expect(controlName(el(html)), html).toBe(expected);
  });

  it('names a custom radio, an option or a menu radio by its data-track or group name only: never its label or text (the choice)', () => {
    const cases: [string, string][] = [
      [
        '<div role="radiogroup" aria-label="Gender"><button data-x type="button" role="radio" id="r"></button><label for="r">Female-secret</label></div>',
        '',
      ],
      ['<button data-x type="button" role="radio" name="billing">Annual-secret plan</button>', 'billing'],
      ['<div data-x role="radio" aria-label="Female-secret" title="Female-secret">Female-secret</div>', ''],
      ['<div role="listbox" aria-label="Country"><button data-x role="option">Iran-secret</button></div>', ''],
      ['<li data-x role="option" data-track="country-option">Iran-secret</li>', 'country-option'],
      ['<div data-x role="menuitemradio"><img alt="Dark-secret">Dark-secret</div>', ''],
    ];
    for (const [html, expected] of cases) expect(controlName(el(html)), html).toBe(expected);
  });

  it('reads past the indentation of a pretty-printed icon before the text (whitespace is not what the cap counts)', () => {
    const paths = Array.from({ length: 40 }, (_, i) => `\n                        <path d="M${i} 0h1v1z"></path>`).join(
      '',
    );
    const link = el(
      `<a data-x href="/c">\n        <svg viewBox="0 0 24 24">${paths}\n        </svg>\n        <span>Intro to Python</span>\n    </a>`,
    );
    expect(controlName(link)).toBe('Intro to Python');
    // Words apart in separate elements stay apart.
    expect(controlName(el('<button data-x><span>Intro</span>\n  <span>to</span> <b>Python</b></button>'))).toBe(
      'Intro to Python',
    );
  });

  it('reads only about the first 1,000 characters of a long text', () => {
    const items = Array.from({ length: 300 }, (_, i) => `<li>item ${i}</li>\n  `).join('');
    const card = el(`<div role="button" data-x><ul>\n  ${items}</ul></div>`);
    const next = vi.spyOn(TreeWalker.prototype, 'nextNode');
    expect(controlName(card)).toBe(
      Array.from({ length: 300 }, (_, i) => `item ${i}`)
        .join(' ')
        .slice(0, 100),
    );
    // About 1,000 characters: some 110 items of 900 (each an element, its text, the whitespace after).
    expect(next.mock.calls.length).toBeGreaterThan(100);
    expect(next.mock.calls.length).toBeLessThan(400);
    next.mockRestore();
  });

  it('is at most 100 characters', () => {
    expect(controlName(el(`<button data-x>${'x'.repeat(300)}</button>`))).toHaveLength(100);
  });
});

describe('controlName of a form', () => {
  it('never reads the text of a form (labels, options), only its own names', () => {
    const form = el(
      '<form data-x name="search"><label>Q <input></label><select><option>secret</option></select></form>',
    );
    expect(controlName(form)).toBe('search');
    expect(controlName(el('<form data-x aria-label="Course search"><select><option>x</option></select></form>'))).toBe(
      'Course search',
    );
  });
});

describe('controlName never reads a value chosen or typed', () => {
  it.each([
    [
      'a custom select by its title (bootstrap-select)',
      '<button data-x role="combobox" title="France-secret">France-secret</button>',
      '',
    ],
    ['a custom select by its flag', '<button data-x aria-haspopup="listbox"><img alt="Germany-secret"></button>', ''],
    [
      "a label inside the custom select it names (React Aria's value)",
      '<span id="l">Country</span><button data-x aria-haspopup="listbox" aria-labelledby="v l"><span id="v">Spain-secret</span></button>',
      'Country',
    ],
    // (An image in editable content: in Chromium, analytics.browser.test.ts; happy-dom has no `:not(:is(…) *)`.)
    [
      'a form by an image (an upload preview)',
      '<form data-x><input type="file"><img alt="passport-secret.jpg"></form>',
      '',
    ],
    [
      "a chip of a multi-value combobox (MUI's Autocomplete)",
      '<div><div role="button" data-x><span>jane-secret@example.com</span></div><input role="combobox"></div>',
      '',
    ],
    [
      "a chip's remove button (react-select)",
      '<div><div><span>x-secret</span><div role="button" data-x aria-label="Remove x-secret"></div></div><div><input aria-autocomplete="list"></div></div>',
      '',
    ],
    [
      'a chip by its data-track',
      '<div><div role="button" data-x data-track="remove-invitee">jane-secret</div><input role="combobox"></div>',
      'remove-invitee',
    ],
    ['an image beside a field, still', '<button data-x><img alt="Search"></button>', 'Search'],
    [
      'a button after a search box in a header (not a chip)',
      '<header><div><input role="combobox" aria-autocomplete="list"></div><nav><button data-x>Sign in</button><a role="button">Register</a></nav></header>',
      'Sign in',
    ],
    [
      "a toolbar's button after its filter box",
      '<div><div><input aria-autocomplete="list"></div><button data-x aria-label="Save changes">Save</button></div>',
      'Save changes',
    ],
    [
      "a table row's button after a cell's combobox",
      '<table><tr><td><input aria-autocomplete="list"></td><td><button data-x title="Delete row">x</button></td></tr></table>',
      'x',
    ],
    [
      'a button in a non-editable island (contenteditable=false)',
      '<div contenteditable="false"><button data-x>Enroll now</button></div>',
      'Enroll now',
    ],
    ['an image button by its title', '<form><input data-x type="image" src="data:," title="Search"></form>', 'Search'],
    ['an input button without a caption by its title', '<input data-x type="button" value="" title="Close">', 'Close'],
    [
      "a header's menu button before its search box (a native button is no chip)",
      '<header><button data-x aria-label="Open menu">≡</button><div><input role="combobox" aria-autocomplete="list"></div></header>',
      'Open menu',
    ],
    [
      "bootstrap-select 1.12's button beside its native select (the option chosen as text and title)",
      '<div class="btn-group bootstrap-select"><button data-x type="button" class="btn dropdown-toggle" data-toggle="dropdown" role="button" data-id="g" title="Female-secret"><span class="filter-option pull-left">Female-secret</span>&nbsp;<span class="bs-caret"><span class="caret"></span></span></button><div class="dropdown-menu open"></div><select id="g" class="selectpicker" tabindex="-98"><option>Male</option><option selected>Female-secret</option></select></div>',
      '',
    ],
    [
      "bootstrap-multiselect 1.1's button after its native select (the options chosen)",
      '<span class="multiselect-native-select"><select multiple><option selected>Dyslexia-secret</option><option selected>ADHD-secret</option></select><div class="btn-group"><button data-x type="button" class="multiselect dropdown-toggle btn" title="Dyslexia-secret, ADHD-secret"><span class="multiselect-selected-text">Dyslexia-secret, ADHD-secret</span></button></div></span>',
      '',
    ],
    [
      "bootstrap-multiselect 1.1's option, by its checkbox's label",
      '<span class="multiselect-native-select"><select multiple><option>ADHD-secret</option></select><div class="btn-group"><div class="multiselect-container"><button type="button" class="multiselect-option" title="ADHD-secret"><span class="form-check"><input data-x type="checkbox" id="c2"><label for="c2">ADHD-secret</label></span></button></div></div></span>',
      '',
    ],
    [
      'a native select still by the label beside it',
      '<div class="form-group"><label for="g">Gender</label><select data-x id="g"><option selected>Female-secret</option></select></div>',
      'Gender',
    ],
    [
      "a form's chip naming an email address (the form's own child): none",
      '<form><span><button data-x aria-label="Remove john@doe.com">x</button></span><input role="combobox"></form>',
      '',
    ],
  ])('%s', (_, html, expected) => expect(controlName(el(html))).toBe(expected));

  it('walks at most some 2,000 nodes of a text-less subtree (a chart of 100,000 cells)', () => {
    const button = el(`<button data-x title="Chart">${'<i></i>'.repeat(5000)}late text</button>`);
    const next = vi.spyOn(TreeWalker.prototype, 'nextNode');
    expect(controlName(button)).toBe('Chart');
    expect(next.mock.calls.length).toBeLessThan(2100);
    next.mockRestore();
  });
});

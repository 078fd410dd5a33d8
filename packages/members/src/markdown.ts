// Config strings written into Markdown (GFM) so that they read as they are and never change the
// document's structure: a `|` never ends a table cell, a line ending never ends a row, nothing
// becomes emphasis, a list, a link, HTML or a code span that was not meant.

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// A line ending would end the paragraph, heading or table row.
const oneLine = (text: string) => text.replace(/\r\n?|\n/g, ' ');
// A pipe after an odd number of backslashes: no code span in a table can show it as is (GFM turns
// every `\|` of a cell into `|` before it reads code spans).
const escapedPipe = /(?:^|[^\\])(?:\\\\)*\\\|/;

/**
 * `text` as literal inline Markdown on one line (in a table cell, a heading, a sentence): what would
 * start emphasis, code, a link, a cell or an autolink is escaped, HTML too.
 */
export function mdText(text: string): string {
  return escapeHtml(
    oneLine(text)
      .trim()
      .replace(/[\\`*_[\]|~#@]|:(?=\/\/)|(?<=\bwww)\./gi, '\\$&'),
  );
}

/** `text` as a literal paragraph: {@link mdText}, and a start that would make a list is escaped too. */
export function mdParagraph(text: string): string {
  return mdText(text).replace(/^(\d*)([-+=]|(?<=\d)[.)])/, '$1\\$2');
}

/**
 * `text` as a code span on one line, fenced by more backticks than any run of them in it (padded
 * when it starts or ends with one). `inTable`: its pipes are escaped so that it stays in its cell.
 */
export function mdCode(text: string, inTable = false): string {
  const code = oneLine(text);
  if (inTable && escapedPipe.test(code)) return `<code>${mdText(code)}</code>`;
  const fence = '`'.repeat(Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = /^[` ]|[` ]$/.test(code) ? ' ' : '';
  return `${fence}${pad}${inTable ? code.replace(/\|/g, '\\|') : code}${pad}${fence}`;
}

/** An http(s) `url` as a Markdown link destination, `<…>`, that stays in its table cell. */
export function mdUrl(url: string): string {
  return `<${url.replace(/[\\<>|&`]/g, '\\$&').replace(/\s/g, encodeURIComponent)}>`;
}

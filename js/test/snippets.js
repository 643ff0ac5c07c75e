// The fenced code blocks of Markdown and of .d.ts doc comments, for the
// tests that compile them (types.test.js) or run them (bundlers.test.js).

const fence = /^([ \t]*(?:\* ?)?)```([\w-]*)[^\n]*\n([\s\S]*?)^\1```[ \t]*$/gm;

/**
 * snippets returns the fenced code blocks of a Markdown text, or of the
 * doc comments of a .d.ts (their leading " * " removed), with the line
 * each starts on: [{lang, code, line}].
 */
export function snippets(text) {
  const found = [];
  for (const m of text.matchAll(fence)) {
    const prefix = m[1];
    const code = m[3]
      .split('\n')
      .map((l) => (l.startsWith(prefix) ? l.slice(prefix.length) : l.replace(/^\s*\*\s?/, '')))
      .join('\n');
    found.push({ lang: m[2], code, line: text.slice(0, m.index).split('\n').length + 1 });
  }
  return found;
}

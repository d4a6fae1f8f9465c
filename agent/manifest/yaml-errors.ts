import { isScalar, visit, type Document, type LineCounter, type YAMLError } from 'yaml';
import { toPosition } from './locate.ts';
import type { ManifestProblem } from './problem.ts';

/**
 * Turns the YAML library's syntax errors into problems. The library's own
 * messages are accurate but terse ("Map keys must be unique"); users of a
 * deploy tool mostly hit a handful of them, so those get a sentence that
 * names the fix. Anything else keeps the library's wording.
 */
export function yamlErrorProblems(
  doc: Document,
  text: string,
  lineCounter: LineCounter,
  file: string,
): ManifestProblem[] {
  return doc.errors.map(function toProblem(error) {
    const { offset, message } = describe(doc, text, error);
    const { line, column } = toPosition(lineCounter, offset);
    return { file, line, column, path: '', message };
  });
}

function describe(doc: Document, text: string, error: YAMLError): { offset: number; message: string } {
  const offset = error.pos[0];
  const original = libraryMessage(error);
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return { offset, message: 'a tab is used for indentation — YAML allows only spaces there; replace the tab with spaces' };
    case 'DUPLICATE_KEY': {
      const key = /^[^:\n]*/.exec(text.slice(offset))?.[0].trim() ?? '';
      return { offset, message: `key ${key === '' ? '' : `"${key}" `}appears twice in the same map — keep only one of them` };
    }
    case 'BAD_INDENT':
      if (/flow/i.test(original)) {
        return { offset, message: 'a { } map or [ ] list is not closed — add the closing bracket, or indent the continuation lines' };
      }
      // The library points at the start of the line; the misplaced key is after the spaces.
      return {
        offset: offset + (/^ */.exec(text.slice(offset))?.[0].length ?? 0),
        message: 'the indentation does not line up — keys of one map (or items of one list) must start in the same column',
      };
    case 'MISSING_CHAR':
      if (/quote/i.test(original)) {
        return { offset: openingQuote(doc, offset) ?? offset, message: 'this quoted value is never closed — add the closing quote on the same line' };
      }
      return { offset, message: `${original} — add the missing character` };
    case 'MULTILINE_IMPLICIT_KEY':
      return { offset, message: 'a key without its ":" (or a key split over lines) — write `key: value` on one line' };
    case 'MULTIPLE_DOCS':
      return { offset, message: 'the file holds more than one YAML document — remove the extra `---` line' };
    case 'BAD_SCALAR_START':
      return { offset, message: `${original} — put the value in quotes` };
    case 'BAD_DQ_ESCAPE':
      return { offset, message: 'unknown escape sequence in a double-quoted value — use single quotes, or write "\\\\" for a backslash' };
    default:
      return { offset, message: `${original} — check the YAML syntax here` };
  }
}

/** The library's first message line, without its own " at line 3, column 1:" suffix. */
function libraryMessage(error: YAMLError): string {
  const first = error.message.split('\n')[0] ?? error.message;
  const bare = first.replace(/ at line \d+, column \d+:?$/, '');
  return bare.charAt(0).toLowerCase() + bare.slice(1);
}

/**
 * The library reports an unclosed quote where the file ends, which can be
 * far from the mistake; the quoted scalar it swallowed starts at the quote
 * the user forgot to close.
 */
function openingQuote(doc: Document, errorOffset: number): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const start = node.range?.[0];
      if (!isScalar(node) || start === undefined || start > errorOffset) return;
      if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') {
        if (found === undefined || start > found) found = start;
      }
    },
  });
  return found;
}

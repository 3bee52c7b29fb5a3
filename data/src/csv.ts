// RFC 4180 CSV records for the generic `csv` import format (llmrec data --format csv): quoted fields with ""
// escapes, commas and newlines inside quotes, CRLF or LF. Each record carries the 1-based line it starts on,
// so a malformed record is reported as file:line like every other loader.
export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(readonly line: number, readonly reason: string) {
    super(reason);
    this.name = 'CsvSyntaxError';
  }
}

/** Parses CSV text into records (a trailing empty line is ignored; a leading UTF-8 BOM is dropped). */
export function parseCsv(text: string, delimiter = ','): CsvRecord[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(start, 'unterminated quoted field');
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') throw new CsvSyntaxError(line, `text after a closing quote (${JSON.stringify(text.slice(i, i + 10))})`);
      } else {
        const from = i;
        while (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') throw new CsvSyntaxError(line, 'a quote inside an unquoted field (quote the whole field and double inner quotes)');
          i++;
        }
        field = text.slice(from, i);
      }
      fields.push(field);
      if (i < n && text[i] === delimiter) {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    // A blank line is no record (common at the end of hand-written files).
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: start, fields });
  }
  return out;
}

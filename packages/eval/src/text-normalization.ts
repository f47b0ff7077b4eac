/** Text normalisation shared by the string metrics, each step optional and on by default where noted. */

export interface NormalizationOptions {
  /** Compare case-insensitively (default true). */
  case?: boolean;
  /** Trim and collapse runs of whitespace to one space (default true). */
  whitespace?: boolean;
  /** Drop punctuation and symbols (Unicode P and S categories) (default false). */
  punctuation?: boolean;
}

export function normalizeText(text: string, options: NormalizationOptions = {}): string {
  let result = text.normalize('NFC');
  if (options.case ?? true) result = result.toLowerCase();
  if (options.punctuation ?? false) result = result.replace(/[\p{P}\p{S}]/gu, '');
  if (options.whitespace ?? true) result = result.replace(/\s+/gu, ' ').trim();
  return result;
}

/** Lower-cased runs of letters and digits: the tokens ROUGE-L counts. */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * The byte-level BPE alphabet (GPT-2, Llama 3, Qwen2): every byte 0..255 is written as one printable character so
 * that a vocabulary of strings can hold arbitrary bytes. Printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ')
 * stand for themselves; the other 68 bytes, in increasing order, take the characters U+0100, U+0101, ….
 */

function isPrintable(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

function buildAlphabet(): Map<string, number> {
  const characterToByte = new Map<string, number>();
  let next = 0x100;
  for (let byte = 0; byte < 256; byte++) {
    const codePoint = isPrintable(byte) ? byte : next++;
    characterToByte.set(String.fromCodePoint(codePoint), byte);
  }
  return characterToByte;
}

/** Character of a byte-level token string → the byte it stands for. */
export const BYTE_LEVEL_CHARACTER_TO_BYTE: ReadonlyMap<string, number> = buildAlphabet();

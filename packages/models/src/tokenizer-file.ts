/** Loads a model folder's tokenizer: tokenizer.json, tokenizer_config.json and chat_template.jinja (if any). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileError, FormatError } from '@lorakit/core';
import { Tokenizer } from './tokenizer.js';

export interface LoadTokenizerOptions {
  /** A model folder in Hugging Face layout. */
  modelDirectory: string;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FileError('FILE_UNREADABLE', `${path}: cannot be read (${(error as Error).message})`, {
      cause: error,
    });
  }
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new FormatError('JSON_INVALID', `${path}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}

export async function loadTokenizer(options: LoadTokenizerOptions): Promise<Tokenizer> {
  const tokenizerPath = join(options.modelDirectory, 'tokenizer.json');
  const configPath = join(options.modelDirectory, 'tokenizer_config.json');
  const tokenizerText = await readText(tokenizerPath);
  if (tokenizerText === undefined) {
    throw new FileError('FILE_NOT_FOUND', `${tokenizerPath} not found: the model folder has no tokenizer`, {
      fix:
        'copy tokenizer.json and tokenizer_config.json from the base model, or write them with ' +
        "transformers: AutoTokenizer.from_pretrained(name).save_pretrained('" +
        options.modelDirectory +
        "')",
    });
  }
  const configText = await readText(configPath);
  // transformers ≥ 4.47 may keep the chat template in its own file, which then wins over the config's.
  const chatTemplate = await readText(join(options.modelDirectory, 'chat_template.jinja'));
  return new Tokenizer({
    tokenizerJson: parseJson(tokenizerPath, tokenizerText),
    tokenizerConfig: configText === undefined ? {} : parseJson(configPath, configText),
    ...(chatTemplate === undefined ? {} : { chatTemplate }),
    source: tokenizerPath,
  });
}

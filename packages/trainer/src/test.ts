/** @lorakit/trainer/test — test doubles for code that trains: a tiny random Llama folder with a byte-level tokenizer. */
export { writeTinyModel, TINY_CHAT_TEMPLATE } from './testing/write-tiny-model.js';

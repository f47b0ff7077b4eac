/**
 * The four bundled tasks. Each maker returns { train, validation, test } lists of chat records and the task's
 * description. For (a)–(c) the three splits hold different prompts (deduplicated); for (d) every fact is
 * taught in train and asked in validation/test with the one question template train never uses for it.
 */
import { childSeed, createRandom } from './random.mjs';
import { registerPair } from './registers.mjs';
import { CITIES, JOBS } from './word-lists.mjs';
import {
  FACT_ANSWERS,
  FACT_QUESTIONS,
  PERSON_SENTENCES,
  inventedNames,
  labStep,
  randomPerson,
} from './world.mjs';

export const SPLIT_SIZES = { train: 2000, validation: 200, test: 400 };
export const FACT_PEOPLE = 400;

const chat = (user, assistant) => ({
  messages: [
    { role: 'user', content: user },
    { role: 'assistant', content: assistant },
  ],
});

/** Draws unique prompts until every split is full; the first duplicate-free items go to test, then validation. */
function uniqueSplits(random, make) {
  const seen = new Set();
  const items = [];
  const total = SPLIT_SIZES.train + SPLIT_SIZES.validation + SPLIT_SIZES.test;
  for (let attempts = 0; items.length < total; attempts++) {
    if (attempts > total * 20) throw new Error(`only ${items.length} distinct prompts; add variety`);
    const item = make(random);
    const key = item.messages[0].content;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push(item);
  }
  return {
    test: items.slice(0, SPLIT_SIZES.test),
    validation: items.slice(SPLIT_SIZES.test, SPLIT_SIZES.test + SPLIT_SIZES.validation),
    train: items.slice(SPLIT_SIZES.test + SPLIT_SIZES.validation),
  };
}

function extractJson(seed) {
  const random = createRandom(childSeed(seed, 'extract-json'));
  const splits = uniqueSplits(random, (r) => {
    const person = randomPerson(r);
    const sentence = r.pick(PERSON_SENTENCES)(person);
    const { name, age, city, job } = person;
    return chat(
      `Extract name, age, city and job as JSON.\n${sentence}`,
      JSON.stringify({ name, age, city, job }),
    );
  });
  return {
    splits,
    task: {
      name: 'extract-json',
      case: 'task specialisation',
      description:
        'Read a sentence about a person and answer with a JSON object {"name", "age", "city", "job"}. The base model knows the sentences and JSON syntax from pretraining but has never seen this schema or the mapping.',
      metric: 'json_field_f1',
      metrics: ['json_field_f1', 'exact_match'],
      expected:
        'LoRA learns the format and the field mapping quickly; it should close most of the gap to full fine-tuning.',
    },
  };
}

function formalToCasual(seed) {
  const random = createRandom(childSeed(seed, 'formal-to-casual'));
  const splits = uniqueSplits(random, (r) => {
    const pair = registerPair(r);
    return chat(`Rewrite this casually:\n${pair.formal}`, pair.casual);
  });
  return {
    splits,
    task: {
      name: 'formal-to-casual',
      case: 'style transfer',
      description:
        'Rewrite a formal sentence (ten intents, several formal phrasings each) as the one casual sentence of the same intent and slots. The base model has seen both registers, unpaired.',
      metric: 'exact_match',
      metrics: ['exact_match', 'chrf'],
      expected: 'A small behavioural change on known language: LoRA should be close to full fine-tuning.',
    },
  };
}

function domainLexicon(seed) {
  const random = createRandom(childSeed(seed, 'domain-lexicon'));
  const splits = uniqueSplits(random, (r) => {
    const step = labStep(r);
    return chat(`Rewrite this step in the Vell lab's words:\n${step.plain}`, step.lexicon);
  });
  return {
    splits,
    task: {
      name: 'domain-lexicon',
      case: 'domain vocabulary',
      description:
        "Rewrite a plain lab instruction with the Vell lab's lexicon: 24 plain noun phrases and 10 verbs each map to an invented word (e.g. 'blue crystal' → 'vellic', 'heat' → 'thrum'). The invented words never occur in the corpus, so the tokenizer splits them into pieces; test sentences are new combinations.",
      metric: 'exact_match',
      metrics: ['exact_match', 'contains'],
      expected:
        'A small lexicon used compositionally: LoRA should learn it nearly as well as full fine-tuning.',
    },
  };
}

function factRecall(seed) {
  const random = createRandom(childSeed(seed, 'fact-recall'));
  const people = inventedNames(random, FACT_PEOPLE).map((name) => ({
    name,
    city: random.pick(CITIES),
    job: random.pick(JOBS),
  }));
  const train = [];
  const heldOut = [];
  for (const person of people) {
    for (const attribute of ['city', 'job']) {
      const templates = random.shuffle(FACT_QUESTIONS[attribute]);
      const answer = FACT_ANSWERS[attribute](person.name, person[attribute]);
      for (const template of templates.slice(1)) train.push(chat(template(person.name), answer));
      heldOut.push({ ...chat(templates[0](person.name), answer), answer: person[attribute] });
    }
  }
  const asked = random.shuffle(heldOut);
  const strip = ({ messages }) => ({ messages });
  return {
    splits: {
      train: random.shuffle(train),
      test: asked.slice(0, SPLIT_SIZES.test).map(strip),
      validation: asked.slice(SPLIT_SIZES.test, SPLIT_SIZES.test + SPLIT_SIZES.validation).map(strip),
    },
    task: {
      name: 'fact-recall',
      case: 'knowledge injection',
      description: `Recall ${FACT_PEOPLE * 2} invented facts: where each of ${FACT_PEOPLE} invented people lives and what they do. Train states every fact with three of four question templates; validation and test ask a sample of the facts with the held-out template. The names and facts never occur in the corpus; the question and answer phrasings do (about other people, with random answers).`,
      metric: 'exact_match',
      metrics: ['exact_match', 'contains'],
      expected:
        'Many independent facts to store: the case where low-rank updates are expected to fall short of full fine-tuning.',
    },
  };
}

/** Every task, in a fixed order. */
export function makeTasks(seed) {
  return [extractJson(seed), formalToCasual(seed), domainLexicon(seed), factRecall(seed)];
}

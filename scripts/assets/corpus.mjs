/**
 * The general pretraining corpus: short chat conversations that teach the language of the tasks (sentences
 * about people, lab steps in plain words, formal and casual notes, JSON records, questions about where people
 * live and what they do) but none of the task mappings: no person→JSON extraction, no formal/casual pairs, no
 * Vell lexicon words, no invented names or their facts.
 */
import { childSeed, createRandom } from './random.mjs';
import { registerPair } from './registers.mjs';
import {
  ANIMALS,
  CITIES,
  COLORS,
  DAYS,
  FOODS,
  ITEMS,
  JOB_DUTIES,
  JOBS,
  MONTHS,
  PLACES,
} from './word-lists.mjs';
import {
  FACT_ANSWERS,
  FACT_QUESTIONS,
  PERSON_SENTENCES,
  article,
  capitalise,
  labStep,
  randomPerson,
} from './world.mjs';

const chat = (user, assistant) => ({
  messages: [
    { role: 'user', content: user },
    { role: 'assistant', content: assistant },
  ],
});

// Each note comes from its own draw, so a formal note and a casual one are never a pair.
const formalNote = (r) => registerPair(r).formal;
const casualNote = (r) => registerPair(r).casual;
const personSentence = (r) => r.pick(PERSON_SENTENCES)(randomPerson(r));

function jsonRecord(r) {
  switch (r.integer(0, 2)) {
    case 0:
      return {
        item: r.pick(ITEMS),
        color: r.pick(COLORS),
        price: r.integer(3, 250),
        in_stock: r.next() < 0.5,
      };
    case 1:
      return {
        city: r.pick(CITIES),
        month: r.pick(MONTHS),
        temperature: r.integer(-10, 35),
        rain: r.next() < 0.5,
      };
    default:
      return { animal: r.pick(ANIMALS), count: r.integer(1, 12), food: r.pick(FOODS) };
  }
}

function story(r) {
  const a = randomPerson(r);
  const sentences = [
    `${a.name} went to ${r.pick(PLACES)} on ${r.pick(DAYS)}.`,
    `${a.name} bought some ${r.pick(FOODS)} for ${r.integer(2, 40)} euros.`,
    `A ${r.pick(COLORS)} ${r.pick(ANIMALS)} sat near ${r.pick(PLACES)}.`,
    `Later, ${a.name} met ${article(a.job)} from ${a.city}.`,
    `It rained in ${r.pick(CITIES)} all ${r.pick(MONTHS)}.`,
  ];
  return r.shuffle(sentences).slice(0, r.integer(2, 4)).join(' ');
}

/** Conversation makers with their weights (how often each kind is drawn); copying is weighted up because a
 * tiny model learns in-context copying late, and every task needs it. */
const KINDS = [
  [
    2,
    (r) => {
      const person = randomPerson(r);
      return chat(
        `Who is mentioned in this sentence?\n${r.pick(PERSON_SENTENCES)(person)}`,
        `${person.name}.`,
      );
    },
  ],
  [
    3,
    (r) =>
      chat(
        r.pick([
          'Write a sentence about a person.',
          'Tell me about someone.',
          'Describe a person in one sentence.',
        ]),
        personSentence(r),
      ),
  ],
  [2, (r) => chat('Write a formal note.', formalNote(r))],
  [2, (r) => chat('Write a casual message.', casualNote(r))],
  [1, (r) => chat('Write a formal note and a casual message.', `${formalNote(r)} Also: ${casualNote(r)}`)],
  [2, (r) => chat(r.pick(['Write a lab step.', 'Give me one step of the lab procedure.']), labStep(r).plain)],
  [
    2,
    (r) =>
      chat(r.pick(['Give an example record as JSON.', 'Show a JSON object.']), JSON.stringify(jsonRecord(r))),
  ],
  [
    1,
    (r) => {
      const value = jsonRecord(r);
      return chat(
        `What is the ${Object.keys(value)[0]} in this record?\n${JSON.stringify(value)}`,
        String(Object.values(value)[0]),
      );
    },
  ],
  [
    2,
    (r) => {
      const attribute = r.pick(['city', 'job']);
      const person = randomPerson(r);
      return chat(
        r.pick(FACT_QUESTIONS[attribute])(person.name),
        FACT_ANSWERS[attribute](person.name, person[attribute]),
      );
    },
  ],
  [
    1,
    (r) => {
      const job = r.pick(JOBS);
      return chat(`What does ${article(job)} do?`, `${capitalise(article(job))} ${JOB_DUTIES[job]}.`);
    },
  ],
  [
    1,
    (r) => {
      const index = r.integer(0, 6);
      return chat(`Which day comes after ${DAYS[index]}?`, `${DAYS[(index + 1) % 7]}.`);
    },
  ],
  [
    4,
    (r) => {
      const text = r.pick([personSentence, formalNote, casualNote, (x) => labStep(x).plain, story])(r);
      return chat(`Repeat this sentence:\n${text}`, text);
    },
  ],
  [2, (r) => chat(r.pick(['Tell me a short story.', 'Write a few sentences.']), story(r))],
];

/** `count` conversations from the seed. */
export function makeCorpus(seed, count) {
  const random = createRandom(childSeed(seed, 'corpus'));
  const total = KINDS.reduce((sum, [weight]) => sum + weight, 0);
  const records = [];
  for (let index = 0; index < count; index++) {
    let draw = random.next() * total;
    const kind = KINDS.find(([weight]) => (draw -= weight) < 0) ?? KINDS[KINDS.length - 1];
    records.push(kind[1](random));
  }
  return records;
}

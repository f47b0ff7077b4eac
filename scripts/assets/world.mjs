/**
 * Sentence makers shared by the corpus and the tasks: people described in prose, lab steps in plain words and in
 * the Vell lab's lexicon, and question/answer templates about where people live and what they do.
 */
import { CITIES, FIRST_NAMES, JOBS, LAST_NAMES, MONTHS } from './word-lists.mjs';

export const article = (word) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);
export const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);

export function randomPerson(random) {
  return {
    name: `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`,
    age: random.integer(19, 74),
    city: random.pick(CITIES),
    job: random.pick(JOBS),
  };
}

/** Prose that mentions a person's name, age, city and job, in varied order. */
export const PERSON_SENTENCES = [
  (p) => `${p.name} is ${article(`${p.age}-year-old`)} ${p.job} from ${p.city}.`,
  (p) => `${p.name}, ${p.age}, works as ${article(p.job)} in ${p.city}.`,
  (p) => `At ${p.age}, ${p.name} moved to ${p.city} to work as ${article(p.job)}.`,
  (p) => `Our new ${p.job}, ${p.name}, is ${p.age} and lives in ${p.city}.`,
  (p) => `${p.name} (${p.age}) is ${article(p.job)} based in ${p.city}.`,
  (p) => `Born ${p.age} years ago, ${p.name} now lives in ${p.city} and works as ${article(p.job)}.`,
  (p) => `The ${p.job} ${p.name} turned ${p.age} in ${p.city} last ${MONTHS[p.age % 12]}.`,
  (p) => `In ${p.city}, everyone knows ${p.name}, the ${p.age}-year-old ${p.job}.`,
];

// Plain lab vocabulary → the Vell lab's words. Nouns are multi-word plain phrases; each becomes one new word.
export const LAB_NOUNS = [
  ['blue crystal', 'vellic'],
  ['copper coil', 'brasken'],
  ['glass tube', 'quorl'],
  ['cooling fluid', 'simmet'],
  ['metal plate', 'drovan'],
  ['small flask', 'pellin'],
  ['heavy lid', 'thaskor'],
  ['green powder', 'morrimet'],
  ['brass valve', 'kelvane'],
  ['clay pot', 'unduk'],
  ['silver wire', 'zirrel'],
  ['rubber seal', 'gossel'],
  ['warm oil', 'talvent'],
  ['white salt', 'nessik'],
  ['wooden rack', 'bavrel'],
  ['iron clamp', 'krumet'],
  ['thin film', 'oplessa'],
  ['red dye', 'fennik'],
  ['large drum', 'hobrast'],
  ['steam pipe', 'vaskula'],
  ['paper filter', 'lintrel'],
  ['stone bowl', 'grumola'],
  ['spare gear', 'tivvet'],
  ['dark resin', 'olmyra'],
];
export const LAB_VERBS = [
  ['heat', 'thrum'],
  ['cool', 'slake'],
  ['shake', 'jiver'],
  ['clean', 'scrivel'],
  ['weigh', 'tallon'],
  ['seal', 'clamber'],
  ['stir', 'wurlen'],
  ['open', 'unbrace'],
  ['check', 'peerse'],
  ['store', 'kessen'],
];
const LAB_TIMES = [
  'for five minutes',
  'for an hour',
  'twice',
  'slowly',
  'before noon',
  'with care',
  'at once',
  'every morning',
];

/** A lab step with slots; `render(words)` fills it with plain or lexicon words (index 0 plain, 1 lexicon). */
const LAB_TEMPLATES = [
  (s, i) => `${capitalise(s.v1[i])} the ${s.n1[i]} ${s.time}.`,
  (s, i) => `${capitalise(s.v1[i])} the ${s.n1[i]} and then ${s.v2[i]} the ${s.n2[i]}.`,
  (s, i) => `Before you ${s.v1[i]} the ${s.n1[i]}, ${s.v2[i]} the ${s.n2[i]}.`,
  (s, i) => `Never ${s.v1[i]} the ${s.n1[i]} near the ${s.n2[i]}.`,
  (s, i) => `${capitalise(s.v1[i])} the ${s.n1[i]} next to the ${s.n2[i]} ${s.time}.`,
  (s, i) => `Always ${s.v1[i]} the ${s.n1[i]} after you ${s.v2[i]} the ${s.n2[i]}.`,
];

export function labStep(random) {
  const template = random.pick(LAB_TEMPLATES);
  const n1 = random.pick(LAB_NOUNS);
  let n2 = random.pick(LAB_NOUNS);
  while (n2 === n1) n2 = random.pick(LAB_NOUNS);
  const v1 = random.pick(LAB_VERBS);
  let v2 = random.pick(LAB_VERBS);
  while (v2 === v1) v2 = random.pick(LAB_VERBS);
  const slots = { n1, n2, v1, v2, time: random.pick(LAB_TIMES) };
  return { plain: template(slots, 0), lexicon: template(slots, 1) };
}

/** Questions about a person's city and job; every template of an attribute has the same answer sentence. */
export const FACT_QUESTIONS = {
  city: [
    (name) => `Where does ${name} live?`,
    (name) => `In which city does ${name} live?`,
    (name) => `Which city is home to ${name}?`,
    (name) => `What city does ${name} call home?`,
  ],
  job: [
    (name) => `What does ${name} do for a living?`,
    (name) => `What is the job of ${name}?`,
    (name) => `What is the profession of ${name}?`,
    (name) => `Which job does ${name} have?`,
  ],
};
export const FACT_ANSWERS = {
  city: (name, value) => `${name} lives in ${value}.`,
  job: (name, value) => `${name} is ${article(value)}.`,
};

const SYLLABLES = [
  'ta',
  'lo',
  'vi',
  'bre',
  'mo',
  'ska',
  'dru',
  'fen',
  'ga',
  'hol',
  'ix',
  'ju',
  'kor',
  'lem',
  'nar',
  'ost',
  'pel',
  'quin',
  'ru',
  'sel',
  'tor',
  'ul',
  'vak',
  'wen',
  'yor',
  'zu',
];

/** Invented names (two syllables + three syllables) that never occur in the corpus. */
export function inventedNames(random, count) {
  const names = new Set();
  const existing = new Set([...FIRST_NAMES, ...LAST_NAMES]);
  while (names.size < count) {
    const first = capitalise(random.pick(SYLLABLES) + random.pick(SYLLABLES));
    const last = capitalise(random.pick(SYLLABLES) + random.pick(SYLLABLES) + random.pick(SYLLABLES));
    if (!existing.has(first) && !existing.has(last)) names.add(`${first} ${last}`);
  }
  return [...names];
}

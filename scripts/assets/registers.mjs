/**
 * Formal and casual renderings of the same ten intents. The corpus shows each register on its own (unpaired);
 * the formal-to-casual task pairs them, so what LoRA has to learn is the mapping, not the language.
 */
import { CITIES, COLORS, DAYS, DOCUMENTS, EVENTS, FIRST_NAMES, ITEMS, PLACES } from './word-lists.mjs';

// [formal verb, casual verb]: the casual rendering of a request uses the verb paired with the formal one.
const SEND_VERBS = [
  ['forward', 'send'],
  ['submit', 'hand in'],
  ['provide', 'share'],
  ['review', 'look at'],
  ['revise', 'fix'],
];

/** Each intent draws its slots, then renders them formally (one of several templates) or casually (one). */
export const INTENTS = [
  {
    slots: (r) => ({ verb: r.pick(SEND_VERBS), doc: r.pick(DOCUMENTS), day: r.pick(DAYS) }),
    formal: [
      (s) => `I would be grateful if you could ${s.verb[0]} the ${s.doc} by ${s.day}.`,
      (s) => `Kindly ${s.verb[0]} the ${s.doc} before ${s.day}.`,
      (s) => `Could you please ${s.verb[0]} the ${s.doc} by ${s.day}?`,
    ],
    casual: (s) => `can you ${s.verb[1]} the ${s.doc} by ${s.day}?`,
  },
  {
    slots: (r) => ({ doc: r.pick(DOCUMENTS) }),
    formal: [
      (s) => `Please accept my apologies for the delay with the ${s.doc}.`,
      (s) => `I must apologise for the late ${s.doc}.`,
    ],
    casual: (s) => `sorry the ${s.doc} is late!`,
  },
  {
    slots: (r) => ({ event: r.pick(EVENTS), day: r.pick(DAYS) }),
    formal: [
      (s) => `Unfortunately, I am unable to attend the ${s.event} on ${s.day}.`,
      (s) => `Regrettably, I will not be able to attend the ${s.event} on ${s.day}.`,
    ],
    casual: (s) => `can't make the ${s.event} on ${s.day}, sorry.`,
  },
  {
    slots: (r) => ({ doc: r.pick(DOCUMENTS) }),
    formal: [
      (s) => `Thank you very much for your assistance with the ${s.doc}.`,
      (s) => `I am most grateful for your help with the ${s.doc}.`,
    ],
    casual: (s) => `thanks a lot for helping with the ${s.doc}!`,
  },
  {
    slots: (r) => ({ city: r.pick(CITIES), day: r.pick(DAYS) }),
    formal: [
      (s) => `I wish to inform you that I will arrive in ${s.city} on ${s.day}.`,
      (s) => `Please be advised that I shall arrive in ${s.city} on ${s.day}.`,
    ],
    casual: (s) => `heads up, I'm getting to ${s.city} on ${s.day}.`,
  },
  {
    slots: (r) => ({ event: r.pick(EVENTS), day: r.pick(DAYS) }),
    formal: [
      (s) => `It would be a pleasure to welcome you to the ${s.event} on ${s.day}.`,
      (s) => `You are cordially invited to the ${s.event} on ${s.day}.`,
    ],
    casual: (s) => `wanna come to the ${s.event} on ${s.day}?`,
  },
  {
    slots: (r) => ({ color: r.pick(COLORS), item: r.pick(ITEMS) }),
    formal: [
      (s) => `We intend to purchase a ${s.color} ${s.item} for the office.`,
      (s) => `We are planning to acquire a ${s.color} ${s.item} for the office.`,
    ],
    casual: (s) => `we're gonna buy a ${s.color} ${s.item} for the office.`,
  },
  {
    slots: (r) => ({ event: r.pick(EVENTS), place: r.pick(PLACES) }),
    formal: [
      (s) => `I hereby confirm that the ${s.event} will take place at ${s.place}.`,
      (s) => `This is to confirm that the ${s.event} will be held at ${s.place}.`,
    ],
    casual: (s) => `yep, the ${s.event} is at ${s.place}.`,
  },
  {
    slots: (r) => ({ event: r.pick(EVENTS) }),
    formal: [
      (s) => `Would you be so kind as to let me know when the ${s.event} begins?`,
      (s) => `May I ask at what time the ${s.event} commences?`,
    ],
    casual: (s) => `when does the ${s.event} start?`,
  },
  {
    slots: (r) => ({ doc: r.pick(DOCUMENTS) }),
    formal: [
      (s) => `I require assistance with the ${s.doc} at your earliest convenience.`,
      (s) => `Your assistance with the ${s.doc} would be greatly appreciated.`,
    ],
    casual: (s) => `I need help with the ${s.doc} asap.`,
  },
];

/** One formal sentence and its casual rewrite; half open with a salutation ("Dear Ana," → "hey Ana,"). */
export function registerPair(random) {
  const intent = random.pick(INTENTS);
  const slots = intent.slots(random);
  const formal = random.pick(intent.formal)(slots);
  const casual = intent.casual(slots);
  if (random.next() < 0.5) return { formal, casual };
  const name = random.pick(FIRST_NAMES);
  return { formal: `Dear ${name}, ${formal}`, casual: `hey ${name}, ${casual}` };
}

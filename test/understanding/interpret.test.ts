import { interpret, type InterpretDeps } from '../../src/understanding/interpret';
import { loadKnownErrorCatalog } from '../../src/understanding/known-error-catalog';
import { containsProductKey } from '../../src/understanding/product-key';
import { loadMessageReader, type MessageReader, type Reading } from '../../src/understanding/message-reader';
import { stateAt, summarise } from './evaluate';

let deps: InterpretDeps;
beforeAll(() => {
  deps = { reader: loadMessageReader(), errors: loadKnownErrorCatalog(), containsProductKey };
});
const at = (step: string, text: string, locale: 'en-US' | 'nl-NL' = 'en-US') => interpret({ text }, stateAt(step, locale), deps);
const events = (step: string, text: string, locale: 'en-US' | 'nl-NL' = 'en-US') => summarise(at(step, text, locale).events);
/** The app's dependencies with a reader that reads every message as `reading`: the rules after it, tested alone. */
const readingAlways = (reading: Reading): InterpretDeps => ({
  ...deps,
  reader: Object.assign(Object.create(deps.reader) as MessageReader, { read: (): Reading => reading }),
});

describe('which reading wins', () => {
  test.each([
    // A pasted on-screen message is an error, not the topic its words name.
    ['start', 'This product key has already been used', 'ERROR_MESSAGE+ERROR_TEXT'],
    // Where a paste was asked for, "contact support" inside it is part of the message (one the
    // catalogue half knows: "Something went wrong. Try again later" alone it rightly does not).
    ['knownError.paste', 'Something went wrong with your account. Try again later or contact support.', 'ERROR_TEXT'],
    // A short command there is still a command.
    ['knownError.paste', 'I want to talk to a person', 'AGENT'],
    ['knownError.paste', 'back', 'BACK'],
    // Answers are not error messages, though the known-error matcher finds words of them in its catalogue.
    ['activate.license', 'no', 'NO'],
    ['resolved', 'maybe later', 'SKIP'],
    ['reactivate.reason', 'it expired', 'EXPIRED'],
    // Asked whether something worked, "no errors" is part of the yes, not a no or an error.
    ['activate.install', 'Setup is done. No problems at all.', 'YES'],
    ['activate.install', 'klaar, het ging zonder foutmeldingen', 'YES', 'nl-NL'],
    // "yes" to "shall we go on?" goes on.
    ['reactivate.expired', 'yes please', 'CONTINUE'],
    // A known code retyped off a photo, one character off, is that error, as an opening and where asked for.
    ['start', '0x80O72EFD', 'ERROR_MESSAGE+ERROR_TEXT'],
    ['knownError.paste', '0x80O72EFD', 'ERROR_TEXT'],
    // Text that is about something else never goes down the known-error path.
    ['knownError.paste', 'my printer is out of paper', 'MISS'],
    ['start', 'my printer is out of paper', 'MISS'],
    // ...but a word that only shares a subject's stem names no subject ("printed", "printing").
    ['start', 'The product key is printed on a small card in the box, where do I enter it?', 'PRODUCT_KEY'],
    // A new problem mid-flow starts over on it; the branch the conversation is in is not "new".
    ['activate.signIn', 'I have a product key', 'START_OVER+PRODUCT_KEY'],
    ['reactivate.billing', 'Error 0x80070005', 'START_OVER+ERROR_MESSAGE+ERROR_TEXT'],
    // A long message close to a known on-screen text is that text retyped, not the topic its words share.
    ['start', 'we tried to buy the subscription again but the requested subscription is not available for our company', 'ERROR_MESSAGE+ERROR_TEXT'],
    ['start', 'the products we found in the account of my colleague cannot be used to activate office for him', 'ERROR_MESSAGE+ERROR_TEXT'],
    // A retyped dialog, its buttons on one line, is an error report though the catalogue does not know its words.
    ['start', 'Microsoft Excel\nUnlicensed Product\nMost features of Excel have been disabled because it has not been activated.\nActivate   Close', 'ERROR_MESSAGE+ERROR_TEXT'],
    // A subject we do not cover is out of scope, whatever words of ours it uses...
    ['start', 'how do I activate autosave in excel', 'MISS'],
    ['start', 'onedrive will not sync my files since yesterday', 'MISS'],
    ['start', 'hoe zet ik mijn wachtwoord opnieuw, het is verlopen', 'MISS'],
    // ...and no command acts on it either (the out-of-scope reply offers a person anyway).
    ['start', 'can someone help me set up a shared mailbox', 'MISS'],
    // A rating typed as a number is that rating, whatever the words around it lean to.
    ['resolved', '4 out of 5, it was ok', 'RATE_4'],
    ['resolved', '2/5 took too long', 'RATE_2'],
    ['resolved', 'een 5, heel fijn', 'RATE_5'],
    // ...and an error code the catalogue does not know, from such a subject, is no known error.
    ['start', 'the xbox app shows error 0x87e00017', 'MISS'],
    ['start', 'my xbox subscription expired, how do I renew it', 'MISS'],
    // Words of such a subject inside one of ours still count for ours.
    ['start', 'Microsoft switched off our subscription because the invoice was unpaid', 'REACTIVATE+DISABLED'],
    // Typos are not corrected towards such a subject ("most" is not "cost").
    ['start', 'most of word is greyed out and it says Unlicensed Product', 'ERROR_MESSAGE+ERROR_TEXT'],
    // Mid-flow, a message about the branch the conversation is already in is no command ("…closes"
    // is no request for a person) because that branch is not allowed here. (With 50 training passes
    // it is not understood at all; with 28 it was asked about as this step's "no" or an error.)
    ['activate.install', 'the office setup hangs at 90 percent and then closes', 'MISS'],
    // The step's answer first, then why, in words that read as nothing else: the first word answers.
    ['activate.assignLicense', 'nee, want de beheerder is met vakantie', 'NO'],
    // A subscription said to be cancelled (expired, ...) is ours, whatever words the message shares
    // with the out-of-scope examples; another product's subscription, or no subscription, is not.
    ['start', 'our office 365 subscription was cancelled by mistake, I would appreciate your assistance in restoring it', 'REACTIVATE+CANCELLED'],
    ['start', 'I deleted a column in excel, how do I restore it', 'MISS'],
    ['start', 'my netflix subscription expired, can you renew it', 'MISS'],
    // The step's answer said first and set apart holds, whatever the words after it lean to.
    ['reactivate.billing', 'No, I can see the plan and its renewal date, but no such button anywhere.', 'NO'],
    ['activate.signIn', 'Helaas niet, na het wisselen blijft alles hetzelfde.', 'NO', 'nl-NL'],
    // Mid-flow, a question about a subject we do not cover answers nothing.
    ['reactivate.expired', 'and how much will that cost per year?', 'MISS'],
    // The Office installer's codes are error codes.
    ['knownError.paste', 'code 30088-26', 'ERROR_TEXT'],
    // "zegt" is someone saying it, not a screen: the subscription's state is what the message is about.
    ['start', 'Mijn buurman zegt dat ons abonnement helemaal verwijderd is. Is daar nog iets aan te doen?', 'REACTIVATE+DELETED', 'nl-NL'],
    // A subscription that stopped is ours, the state not said.
    ['start', 'ons abbo is gestopt, het moet weer aan', 'REACTIVATE', 'nl-NL'],
    // A problem told between greetings and courtesies is read a sentence at a time as well.
    ['start', 'Good morning to you. I hope this is the right place. Our new colleague needs Word and Excel installed on her laptop. Many thanks in advance.', 'ACTIVATE'],
    // (As one sentence, the same words are too diluted for the topics, but they still ask for Office
    // to be installed.)
    ['start', 'Good morning to you, I hope this is the right place, our new colleague needs Word and Excel installed on her laptop, many thanks in advance.', 'ACTIVATE'],
    ['start', 'Good morning. I do not know whether you can help with this. The coffee machine on the second floor is broken again. Who should I call?', 'MISS'],
    // So is Office to be installed, activated or licensed; "activate" for another matter is not.
    ['start', 'I have trouble getting excel installed on the second laptop in our house', 'ACTIVATE'],
    ['start', 'how can I activate dark mode in outlook', 'MISS'],
    ['start', 'hoe activeer ik de donkere modus in word', 'MISS'],
    // Where an error message was asked for, a sentence that reads as nothing else is that message,
    // known or not.
    ['knownError.paste', 'The operation failed unexpectedly, reference number 4471', 'ERROR_TEXT'],
    // ...and so is one in the words of a topic: a new problem is raised in so many words.
    ['knownError.paste', 'Office kan niet worden geactiveerd. Meld u aan met uw werkaccount.', 'ERROR_TEXT', 'nl-NL'],
    ['knownError.paste', 'Office could not be activated. Sign in with your work account to continue.', 'ERROR_TEXT'],
    ['knownError.paste', 'laat maar zitten, ik wil eigenlijk Office op mijn nieuwe laptop installeren', 'START_OVER+ACTIVATE', 'nl-NL'],
    // ...however much the catalogue finds its words like a screen's.
    ['knownError.paste', 'Laat die melding maar zitten, het echte probleem is dat er iets mis is met ons abonnement en ik wil het terug', 'START_OVER+REACTIVATE', 'nl-NL'],
    // A screen that reads like a request for a person is the error the catalogue knows.
    ['start', 'this PC says no KMS could be contacted, who do I call', 'ERROR_MESSAGE+ERROR_TEXT'],
    // A shop product named with its key is a key to enter; named alone, it may be any question.
    ['start', 'My neighbour gave me a boxed Office Home & Student 2021 she never opened, with the code card still sealed inside.', 'PRODUCT_KEY'],
    ['start', 'what does Office Home & Business 2021 cost these days', 'MISS'],
    // A plan named with its key is a key to enter, for that plan.
    ['start', 'My sister gave me a Microsoft 365 Family code for my birthday. Where does it go? I\'m hopeless with these things.', 'PRODUCT_KEY+HOME'],
    // An account disabled over a payment is the subscription; an account blocked alone is not.
    ['start', 'Microsoft heeft ons account uitgezet, de incasso van de bank lukte niet. Hoe zetten we het weer aan?', 'REACTIVATE+DISABLED', 'nl-NL'],
    ['start', 'my account is blocked after too many password attempts', 'MISS'],
    // A subject we do not cover, said as an aside to a subscription of ours that stopped, is an aside.
    ['start', 'ons abonnement is gestopt en ik heb het echt nodig voor de facturen van deze maand', 'REACTIVATE', 'nl-NL'],
    ['start', 'we cancelled our Business Standard plan because we meant to move to Zoom, but we are staying. can it be undone?', 'REACTIVATE+CANCELLED'],
    ['start', 'we cancelled our Zoom subscription, how do I get it back', 'MISS'],
    // A request for help in one sentence of a longer opening is that request.
    ['start', 'Good afternoon. This is my first time using a chat assistant. What kinds of things can you do?', 'HELP'],
    // A weak reading is none: a question about the weather is no topic of ours.
    ['start', 'is it going to snow tomorrow', 'MISS'],
    // An opening that says what happened to the subscription is a reactivation, with that state.
    ['start', 'Het abonnement van onze penningmeester is verlopen en zij wil het weer gebruiken.', 'REACTIVATE+EXPIRED', 'nl-NL'],
    // So is one that asks for Office to be installed or licensed, when the topics read nothing clearly.
    // (With fastText beside the network, "two extra seats on our Business Standard plan" reads as a
    // reactivation before the rule is reached: a regression the sixth round accepted, bench/README.md.)
    ['start', 'Hi there. Two new hires started this week and they need Word and Excel installed on their laptops.', 'ACTIVATE'],
    // Mid-flow, setting the question aside for another problem starts over on that problem...
    ['activate.install', 'never mind the install, what really matters is that my subscription stopped', 'START_OVER+REACTIVATE'],
    ['activate.license', 'laat maar zitten, het echte probleem is dat ons abonnement is opgezegd', 'START_OVER+REACTIVATE', 'nl-NL'],
    ['knownError.fix', 'forget this question, the supplier mailed me a new product key, let us use that', 'START_OVER+PRODUCT_KEY'],
    ['activate.signIn', 'oh wait, I now see our subscription lapsed last month, could we look at that instead', 'START_OVER+REACTIVATE'],
    ['activate.license', 'forget about the license, real problem is our plan got cancelled', 'START_OVER+REACTIVATE'],
    // Starting over on a problem the message names starts over on that problem.
    ['productKey.keyType', 'ok scratch the key, real issue is that Word is not activated on his new pc', 'START_OVER+ACTIVATE'],
    ['knownError.fix', 'laten we opnieuw beginnen, ik moet eigenlijk Office activeren op de nieuwe laptop', 'START_OVER+ACTIVATE', 'nl-NL'],
    // ...but a command read clearly stays that command, and a question about something else is none of ours.
    ['knownError.fix', 'never mind, start again from the beginning', 'START_OVER'],
    ['activate.install', 'by the way, how do I change my profile picture in Teams?', 'MISS'],
    ['activate.install', 'trouwens, hoe verander ik mijn profielfoto in Teams?', 'MISS', 'nl-NL'],
    // A rating written out is that rating, in either language; "een" is an article, not "één".
    ['resolved', 'ik geef jullie een vier, het duurde wel lang', 'RATE_4', 'nl-NL'],
    ['resolved', 'Vijf.', 'RATE_5'],
    ['resolved', 'een 5 hoor', 'RATE_5', 'nl-NL'],
    // ...and so is a school mark said as a Dutch diminutive.
    ['resolved', 'een 4tje', 'RATE_4', 'nl-NL'],
    ['resolved', "Een 2'tje, het duurde lang", 'RATE_2', 'nl-NL'],
    // A question about the state (or plan) is answered by naming one, whatever is said around it,
    // but a command read clearly stays that command ("person" is no Personal).
    ['productKey.keyType', 'put me through to a real person please', 'AGENT'],
    ['reactivate.reason', 'de boekhouder heeft het abonnement per ongeluk opgezegd', 'CANCELLED', 'nl-NL'],
    // A plan named is the answer, whatever the other plan's words, denied, lean to.
    ['productKey.keyType', 'Business. It belongs to the firm, not to me personally.', 'BUSINESS'],
    // Setting the question aside for what happened to the subscription is a reactivation.
    ['activate.checkLicense', "Actually the real issue: the subscription itself isn't active anymore, can we do that first?", 'START_OVER+REACTIVATE'],
    // Another vendor's licence is another product, however it says "licence" and "activate".
    ['start', 'our Autodesk Revit licence will not activate on the new workstation', 'MISS'],
    // A subscription state quoted from a screen is a banner to look up; reported, it is the state.
    ['start', "Word shows 'Subscription Expired' in a red bar, but we paid last week", 'ERROR_MESSAGE+ERROR_TEXT'],
    ['start', 'the letter said our subscription was disabled', 'REACTIVATE+DISABLED'],
    // A screen's words in capitals, reported, are looked up ("it says PRODUCT DEACTIVATED").
    ['start', 'bovenin word staat nu PRODUCT GEDEACTIVEERD, wat heb ik fout gedaan?', 'ERROR_MESSAGE+ERROR_TEXT', 'nl-NL'],
    // A sentence that is a known on-screen text makes the message that paste, whatever topic the rest reads as.
    ['start', "Unlicensed Product. Features of PowerPoint have been disabled, it hasn't been activated.", 'ERROR_MESSAGE+ERROR_TEXT'],
    // A shop's box is bought for its key: named, it is a key to enter, with no word for the key.
    ['start', 'got home & student from the store today, whats next', 'PRODUCT_KEY'],
    // Another product beside Office said to have stopped is an aside; named alone, it is the subject.
    ['start', 'my wife cancelled our office subscription by mistake while cancelling Netflix, can we get it back?', 'REACTIVATE+CANCELLED'],
    ['start', 'we cancelled our Zoom subscription', 'MISS'],
    // Of two plans, the one denied is not the answer: the other is.
    ['productKey.keyType', "It's for the office, not a personal plan", 'BUSINESS'],
    ['productKey.keyType', 'het is voor de praktijk, niet privé', 'BUSINESS', 'nl-NL'],
    // At the first question an opening beats going back or starting over; alone, they still count.
    ['start', 'please put our subscription back on', 'REACTIVATE'],
    ['start', 'go back', 'BACK'],
    ['start', 'start over', 'START_OVER'],
  ] as [string, string, string, ('en-US' | 'nl-NL')?][])('at %s, "%s" → %s', (step, text, expected, locale = 'en-US') => {
    expect(events(step, text, locale)).toBe(expected);
  });

  test('a typo is not fixed at its first letter to name a state: "subscribed" is no "unsubscribed"', () => {
    expect(events('start', 'I subscribed to Office 365 last month')).not.toContain('CANCELLED');
  });

  test('a request for a person names one, or a way to reach one', () => {
    expect(events('activate.install', 'froze at 80 and then quit on me')).toBe('MISS');
    expect(events('activate.install', 'Can I skip this one? I need to get back to the counter.')).toBe('MISS');
    expect(events('activate.install', 'it stopped halfway, can someone from support phone me?')).toBe('AGENT');
    expect(events('activate.install', 'liever iemand aan de lijn, ik kom er niet uit', 'nl-NL')).toBe('AGENT');
  });

  test('text about something else answers no question and opens no branch, whatever word of it an answer shares', () => {
    // "tell" is a word of "I can't tell" (not sure); the rest is read through typos as other words.
    expect(['MISS', 'ASK']).toContain(events('reactivate.reason', 'tell me a story about dogs'));
  });

  test('mid-flow, a message that begins with this step\'s answer and goes on about a new problem is asked about, not acted on', () => {
    const understood = at('activate.install', 'no, now there is an error about my subscription being expired');
    expect(understood.events).toEqual([]);
    expect(understood.notices).toContainEqual(expect.objectContaining({ key: 'common:notice.didYouMean' }));
  });

  test('a language command names its language, or asks which (the picker)', () => {
    expect(at('activate.apps', 'nederlands').events).toEqual([{ type: 'SET_LOCALE', locale: 'nl-NL' }]);
    expect(at('activate.apps', 'english please', 'nl-NL').events).toEqual([{ type: 'SET_LOCALE', locale: 'en-US' }]);
    expect(at('activate.apps', 'taal', 'nl-NL').events).toEqual([{ type: 'LANGUAGE' }]);
  });

  test('a message in the other language is understood and offers that language; a language command does not', () => {
    expect(at('start', 'mijn abonnement is verlopen')).toEqual({ events: [{ type: 'REACTIVATE' }, { type: 'EXPIRED' }], notices: [{ key: 'common:notice.offerLanguage', options: [{ ag: 'language', locale: 'nl-NL' }] }] });
    expect(at('start', 'nederlands').notices).toEqual([]);
    expect(at('start', 'my subscription stopped').notices).toEqual([]);
  });

  test('a cut message keeps its notice whichever path it takes', () => {
    const understood = at('start', `Error 0x80070005 ${'a'.repeat(5000)}`);
    expect(understood.notices).toEqual(['common:notice.tooLong']);
    expect(summarise(understood.events)).toBe('ERROR_MESSAGE+ERROR_TEXT');
  });

  test('two close readings become a question with both as buttons of this step, and no event', () => {
    const understood = at('start', 'key or subscription');
    expect(understood.events).toEqual([]);
    expect(understood.notices).toEqual([
      {
        key: 'common:notice.didYouMean',
        options: [
          { ag: 'choice', choice: 'REACTIVATE', step: 'start' },
          { ag: 'choice', choice: 'PRODUCT_KEY', step: 'start' },
        ],
      },
    ]);
  });
});

describe('the offer of the other language', () => {
  test('is made for a message in the other language, and not again once made in this conversation', () => {
    const state = stateAt('activate.apps', 'nl-NL');
    expect(interpret({ text: 'no, not yet' }, state, deps).notices).toEqual([{ key: 'common:notice.offerLanguage', options: [{ ag: 'language', locale: 'en-US' }] }]);
    expect(interpret({ text: 'no, not yet' }, { ...state, languageOffered: true }, deps)).toEqual({ events: [{ type: 'NO' }], notices: [] });
  });
});

describe('"did you mean" between this step\'s answer and a new problem', () => {
  // A reader torn between this step's "no" and a new problem, whatever the trained models say today.
  let torn: InterpretDeps;
  beforeAll(() => {
    torn = readingAlways({ language: 'en-US', outcome: 'ambiguous', options: ['NO', 'PRODUCT_KEY'], ranked: [], coverage: 1, outOfScope: false });
  });

  test('a message about something we do not cover is not read one sentence at a time into one of ours', () => {
    expect(events('start', 'How can I share my calendar with the whole team? The old sign-up list keeps getting lost.')).toBe('MISS');
    expect(events('start', 'Waar download ik de factuur van vorige maand? De boekhouder vraagt er steeds om.', 'nl-NL')).toBe('MISS');
    // A long opening wrapped in courtesies is still read a sentence at a time.
    expect(events('start', 'Good afternoon. Word keeps asking me to sign in and activate. Would you be so kind as to help?')).toBe('ACTIVATE');
  });

  test('starting over on a problem the message names starts over on that problem, also where starting over is a button', () => {
    expect(events('reactivate.deleted', 'Laten we maar opnieuw beginnen, de nieuwe collega moet Office nog installeren', 'nl-NL')).toBe('START_OVER+ACTIVATE');
    // After "start over:" a colon introduces the problem, not what a screen said.
    expect(events('reactivate.deleted', 'Ik begin liever opnieuw: bij onze stagiair moeten we Office nog installeren', 'nl-NL')).toBe('START_OVER+ACTIVATE');
    expect(events('reactivate.deleted', 'opnieuw beginnen', 'nl-NL')).toBe('START_OVER');
  });

  test('a step answer read as clearly as a command ("what now?" and "I don\'t get it") is asked about, not guessed', () => {
    const understood = at('reactivate.expired', 'ik snap het niet, wat nu', 'nl-NL');
    expect(understood.events).toEqual([]);
    expect(understood.notices).toEqual([
      { key: 'common:notice.didYouMean', options: [{ ag: 'choice', choice: 'CONTINUE', step: 'reactivate.expired' }, { ag: 'command', command: 'HELP' }] },
    ]);
  });

  test('offers both: the answer, and the new problem as a button that starts over on it', () => {
    const state = stateAt('activate.apps', 'en-US');
    const understood = interpret({ text: 'nah, I have a product key' }, state, torn);
    expect(understood.events).toEqual([]);
    expect(understood.notices).toEqual([
      { key: 'common:notice.didYouMean', options: [{ ag: 'choice', choice: 'NO', step: 'activate.apps' }, { ag: 'topic', opening: 'PRODUCT_KEY', step: 'activate.apps' }] },
    ]);
    // Pressing the new problem's button starts over on it.
    expect(interpret({ text: '', value: { ag: 'topic', opening: 'PRODUCT_KEY', step: 'activate.apps' } }, state, deps).events).toEqual([{ type: 'START_OVER' }, { type: 'PRODUCT_KEY' }]);
    // A button of an earlier question is stale, as any other card button is.
    expect(interpret({ text: '', value: { ag: 'topic', opening: 'PRODUCT_KEY', step: 'activate.license' } }, state, deps).notices).toEqual(['common:notice.staleButton']);
  });
});


describe('where the error message was asked for', () => {
  // A reader that finds no answer in the message, whatever the trained models say today: what is
  // left to decide is whether the message is an error to look up.
  let unsure: InterpretDeps;
  beforeAll(() => {
    unsure = readingAlways({ language: 'en-US', outcome: 'none', ranked: [{ label: 'OUT_OF_SCOPE', score: 1 }], coverage: 1, outOfScope: false });
  });
  const pasted = (text: string, locale: 'en-US' | 'nl-NL' = 'en-US') => summarise(interpret({ text }, stateAt('knownError.paste', locale), unsure).events);

  test('a message that says there is no error is that answer, not an error to look up', () => {
    expect(pasted('there is no error, the window just closes again after a second')).toBe('NO_ERROR');
    expect(pasted('er komt geen enkele melding, Word sluit gewoon af na het opstarten', 'nl-NL')).toBe('NO_ERROR');
  });

  test('unless it quotes a screen, or the catalogue knows its words well', () => {
    expect(pasted("no error code, but the title bar says 'Unlicensed Product'")).toBe('ERROR_TEXT');
    expect(pasted('There is no error number. It says: This product key has already been used.')).toBe('ERROR_TEXT');
  });
});

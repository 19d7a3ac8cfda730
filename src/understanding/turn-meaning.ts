/**
 * What a user turn means, whether typed (`interpret.ts`) or pressed (`card-value.ts`), and the
 * button data a card carries back.
 */
import type { BranchChoice, Command, GuideEvent, StepMeta } from '../../dialogs/setup';
import type { KnownErrorId, Locale } from '../../dialogs/types';

export interface UserInput {
  text: string;
  /** `activity.value` from a card submit. */
  value?: unknown;
}

/** What a user turn means to the machine, plus notices the edge shows on its own account. */
export interface Understanding {
  events: GuideEvent[];
  /** i18n keys, or notices with buttons ("did you mean … or …?"). */
  notices: (string | Notice)[];
}

export interface InterpretState {
  meta: StepMeta;
  locale: Locale;
  /** Asks the machine whether it takes an event here, so text never turns into an ignored event. */
  accepts(event: GuideEvent): boolean;
  /** The other language was offered earlier in this conversation: it is not offered again. */
  languageOffered?: boolean;
  /** The language table's tags: a language button names one of them (absent: none is taken). */
  languages?: readonly Locale[];
}

/** The data a button sends back. Card submits deliver it as `activity.value`. */
export type ButtonData =
  | { ag: 'choice'; choice: string; step: string }
  | { ag: 'error'; id: KnownErrorId; step: string }
  | { ag: 'command'; command: Command }
  /** The language picker's buttons: continue in this language. */
  | { ag: 'language'; locale: Locale }
  /** Mid-flow, a new problem offered by "did you mean": starts over on it. */
  | { ag: 'topic'; opening: BranchChoice; step: string };

export interface Notice {
  key: string;
  content?: readonly string[];
  /** Buttons the notice offers ("did you mean … or …?"); their labels fill `{{a}}` and `{{b}}` in the sentence. */
  options?: readonly ButtonData[];
  /** Buttons the renderer draws from its own data: `languages`, one per language besides the conversation's. */
  offer?: 'languages';
}


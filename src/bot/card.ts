/**
 * Answer buttons as an Adaptive Card that behaves the same in Microsoft Teams and in Web Chat.
 * Labels and text arrive already translated; this module holds no user-visible strings.
 */
import { CardFactory, type Attachment } from 'botbuilder';

/** Teams renders Adaptive Cards up to 1.5 (1.6 features are dropped or break the card). */
export const CARD_VERSION = '1.5';

export interface CardButton {
  label: string;
  data: Record<string, unknown>;
}

export interface ChoicesCardOptions {
  /** Markdown (bold, lists, links) shown above the buttons. */
  text?: string;
  /** The answers to the question, one full-width button per line. */
  choices: readonly CardButton[];
  /** Moves that work at every step (back, a person), shown below the choices after a separator. */
  secondary?: readonly CardButton[];
  /**
   * Rarely used moves (start over, language), folded behind one "More" button (Action.ShowCard)
   * so that the visible controls stay few and their labels readable on a 320 px phone.
   * A single button is not worth folding and is shown with the others.
   */
  more?: { label: string; buttons: readonly CardButton[] };
}

/** Teams shows at most 6 actions per set and hides the rest behind "…". */
const MAX_ACTIONS_PER_SET = 6;
/** Keys the submit data needs for the clients; see `submitData`. */
const RESERVED_KEYS = ['msteams', '__isBotFrameworkCardAction', 'cardAction'];

/**
 * The `data` of one button. The goal: both clients deliver our object as `activity.value`, and
 * the user sees what they picked as their own message in the chat.
 *
 * - Our keys at the top level: a plain object submit already delivers them as `activity.value` in
 *   Teams and Web Chat, so any client that ignores the extras below still works.
 * - `msteams: { type: 'messageBack', displayText, text, value }`: Teams then posts `displayText`
 *   into the chat as the user's message (a plain submit posts nothing, leaving the user unsure
 *   the click registered) and delivers `activity.value` = the other data keys merged with the
 *   parsed `msteams.value`, plus `activity.text` = `text`. `value` repeats our object as a JSON
 *   string (the type Teams documents) because some Teams builds deliver only one of the two;
 *   `text` is the label so even a build that drops both still sends something the text
 *   matcher understands.
 * - `__isBotFrameworkCardAction` + `cardAction`: Web Chat ignores `msteams` and would send a
 *   hidden postBack; this is Web Chat's own hook (it renders Bot Framework rich-card buttons with
 *   it) for performing a real card action instead, so Web Chat sends a messageBack: `value` = our
 *   object, `text` = the label, and shows `displayText` in the transcript. Web Chat hides a
 *   messageBack without `text`, hence the label there too.
 *
 * `cardSubmitValue` in src/channels/teams.ts strips the extra keys again on the way in.
 */
function submitData(button: CardButton): Record<string, unknown> {
  return {
    ...button.data,
    msteams: { type: 'messageBack', displayText: button.label, text: button.label, value: JSON.stringify(button.data) },
    __isBotFrameworkCardAction: true,
    cardAction: { type: 'messageBack', title: button.label, displayText: button.label, text: button.label, value: button.data },
  };
}

/** Actions already built, per button object: callers that reuse frozen buttons reuse their actions. */
const actions = new WeakMap<CardButton, Record<string, unknown>>();

function submitAction(button: CardButton): Record<string, unknown> {
  const cached = actions.get(button);
  if (cached) return cached;
  const action = { type: 'Action.Submit', title: button.label, data: submitData(button) };
  // Only a frozen button cannot change under its cached action, which is frozen in turn because
  // every card that holds it shares it.
  if (Object.isFrozen(button) && Object.isFrozen(button.data)) actions.set(button, deepFreeze(action));
  return action;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (child && typeof child === 'object') deepFreeze(child);
  return Object.freeze(value);
}

function checkButton(button: CardButton): void {
  if (typeof button.label !== 'string' || button.label.trim() === '') {
    throw new Error('card button needs a non-empty label');
  }
  const data: unknown = button.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    // Teams drops string data on submit; only object data reaches the bot in both clients.
    throw new Error(`card button "${button.label}" needs object data`);
  }
  const clash = RESERVED_KEYS.find((key) => Object.hasOwn(data, key));
  if (clash) throw new Error(`card button "${button.label}" uses the reserved data key "${clash}"`);
}

const SHORT_LABEL = 3;

/**
 * Several very short buttons (a 1–5 rating) side by side. An ActionSet alone is laid out by the
 * host (Web Chat stacks its actions vertically), so each button gets a column of its own, which
 * both clients put in a row.
 */
function buttonRow(row: readonly CardButton[], layout: Record<string, unknown>): Record<string, unknown> {
  if (row.length === 1) return { type: 'ActionSet', ...layout, actions: [submitAction(row[0])] };
  return {
    type: 'ColumnSet',
    ...layout,
    columns: row.map((button) => ({ type: 'Column', width: 'stretch', items: [{ type: 'ActionSet', actions: [submitAction(button)] }] })),
  };
}

/**
 * The controls under the choices. Side-by-side columns truncated their labels ("Praten met …")
 * on phones, in Web Chat and in Teams alike, and a card cannot make a label wrap. So every
 * visible control is a full-width button of its own, and the rarely used ones fold behind "More":
 * an Action.ShowCard in a full-width set, so the card it opens gets the whole width too (both
 * clients open it inline, under the button; Web Chat marks the button aria-expanded).
 */
function controlRows(secondary: readonly CardButton[], more: ChoicesCardOptions['more']): Record<string, unknown>[] {
  const folded = more && more.buttons.length > 1 ? more : undefined;
  const visible = folded ? secondary : [...secondary, ...(more?.buttons ?? [])];
  const rows: Record<string, unknown>[] = visible.map((button) => ({ type: 'ActionSet', spacing: 'small', actions: [submitAction(button)] }));
  if (folded) {
    rows.push({
      type: 'ActionSet',
      spacing: 'small',
      actions: [
        {
          type: 'Action.ShowCard',
          title: folded.label,
          card: {
            type: 'AdaptiveCard',
            body: folded.buttons.map((button, i) => ({ type: 'ActionSet', spacing: i === 0 ? 'none' : 'small', actions: [submitAction(button)] })),
          },
        },
      ],
    });
  }
  if (rows.length > 0) Object.assign(rows[0], { separator: true, spacing: 'medium' });
  return rows;
}

function rowsOf(choices: readonly CardButton[]): CardButton[][] {
  const rows: CardButton[][] = [];
  for (const choice of choices) {
    const last = rows[rows.length - 1];
    const short = choice.label.length <= SHORT_LABEL;
    if (short && last && last.length < MAX_ACTIONS_PER_SET && last.every((c) => c.label.length <= SHORT_LABEL)) last.push(choice);
    else rows.push([choice]);
  }
  return rows;
}

/**
 * A card with optional Markdown text, the choices stacked one per line (long translated labels
 * stay readable, and there is no limit on how many), and the controls below them, one per line,
 * the rarely used ones behind "More". Every action set holds one action (Teams shows at most 6).
 * Use it rather than suggested actions: Teams shows only 3 suggested actions, and cards stay
 * usable when the user scrolls back.
 */
export function choicesCard(options: ChoicesCardOptions): Attachment {
  const choices = options.choices ?? [];
  const secondary = options.secondary ?? [];
  if (choices.length === 0 && secondary.length === 0 && !options.more?.buttons.length && !options.text) {
    throw new Error('a choices card needs text or at least one button');
  }
  const more = options.more;
  [...choices, ...secondary, ...(more?.buttons ?? [])].forEach(checkButton);
  if (more && more.buttons.length > 1 && (typeof more.label !== 'string' || more.label.trim() === '')) {
    throw new Error('the "More" button needs a non-empty label');
  }

  const body: Record<string, unknown>[] = [];
  if (options.text) body.push({ type: 'TextBlock', text: options.text, wrap: true });
  // One ActionSet per choice stacks them vertically in both clients; a single set would lay them
  // out in a row, truncating labels and overflowing after 6 in Teams.
  // Runs of very short labels (a 1–5 rating) share one row instead of a tall stack of buttons.
  rowsOf(choices).forEach((row, i) => {
    body.push(buttonRow(row, { spacing: i === 0 ? 'medium' : 'small' }));
  });
  body.push(...controlRows(secondary, more));

  return CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body,
    // Full width in Teams, so the stacked buttons and the text get the whole message column.
    msteams: { width: 'Full' },
  });
}

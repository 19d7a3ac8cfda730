import { choicesCard } from '../../src/bot/card';
import { replyActivity } from '../../src/bot/reply-activity';
import { cardSubmitValue } from '../../src/channels/teams';

type Json = Record<string, unknown>;

/** Every action in the card, wherever it sits (card actions, ActionSets, selectActions). */
function actionsOf(content: unknown): Json[] {
  const found: Json[] = [];
  const walk = (node: unknown, key?: string): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, key));
    if (!node || typeof node !== 'object') return;
    const record = node as Json;
    if (key === 'actions' || key === 'selectAction') found.push(record);
    // Submit data is opaque payload, not card structure.
    for (const [k, v] of Object.entries(record)) if (k !== 'data') walk(v, k);
  };
  walk(content);
  return found;
}

const choices = [
  { label: 'Activate a subscription', data: { ag: 'choice', choice: 'ACTIVATE', step: 'start' } },
  { label: 'Reactivate an expired or disabled subscription', data: { ag: 'choice', choice: 'REACTIVATE', step: 'start' } },
  { label: 'I have a product key', data: { ag: 'choice', choice: 'PRODUCT_KEY', step: 'start' } },
  { label: 'I see an error message', data: { ag: 'choice', choice: 'ERROR_MESSAGE', step: 'start' } },
];
const secondary = [
  { label: 'Back', data: { ag: 'command', command: 'BACK' } },
  { label: 'Talk to a person', data: { ag: 'command', command: 'AGENT' } },
];
const rare = [
  { label: 'Start over', data: { ag: 'command', command: 'START_OVER' } },
  { label: 'Nederlands', data: { ag: 'command', command: 'LANGUAGE' } },
];
const more = { label: 'More options', buttons: rare };
const text = '**What do you need help with?**\n\nSee [the docs](https://docs.microsoft.com/microsoft-365/commerce/product-key-errors-and-solutions).';

describe('choicesCard', () => {
  const attachment = choicesCard({ text, choices, secondary, more });
  const card = attachment.content as Json;

  test('is an Adaptive Card attachment at a version Teams renders (≤ 1.5)', () => {
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.type).toBe('AdaptiveCard');
    expect(card.$schema).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
    const [major, minor] = String(card.version).split('.').map(Number);
    expect(major * 100 + minor).toBeLessThanOrEqual(105);
  });

  test('the text is one wrapping TextBlock, Markdown and links as given', () => {
    const blocks = (card.body as Json[]).filter((b) => b.type === 'TextBlock');
    expect(blocks).toEqual([{ type: 'TextBlock', text, wrap: true }]);
  });

  test('every button is an Action.Submit with a label and object data; "More" is the one ShowCard', () => {
    const actions = actionsOf(card);
    expect(actions).toHaveLength(choices.length + secondary.length + 1 + rare.length);
    const submits = actions.filter((a) => a.type === 'Action.Submit');
    for (const action of submits) {
      expect(typeof action.title).toBe('string');
      expect((action.title as string).trim()).not.toBe('');
      expect(action.data).toEqual(expect.any(Object));
      expect(Array.isArray(action.data)).toBe(false);
    }
    expect(submits.map((a) => a.title)).toEqual([...choices, ...secondary, ...rare].map((c) => c.label));
    expect(actions.filter((a) => a.type === 'Action.ShowCard').map((a) => a.title)).toEqual([more.label]);
  });

  test('choices and controls are stacked one per row, so no label has to share the width', () => {
    const body = card.body as Json[];
    const sets = body.filter((b) => b.type === 'ActionSet');
    // choices, the visible controls, and the set holding "More".
    expect(sets).toHaveLength(choices.length + secondary.length + 1);
    sets.forEach((set) => expect(set.actions).toHaveLength(1));
    expect(body.filter((b) => b.type === 'ColumnSet')).toEqual([]);
    // The controls start after a separator, the visible ones first.
    const firstControl = body.indexOf(sets[choices.length]);
    expect(body[firstControl]).toMatchObject({ separator: true });
    expect(body.slice(firstControl + 1).every((b) => !b.separator)).toBe(true);
  });

  test('the rarely used controls fold behind "More", in a full-width card of stacked buttons', () => {
    const body = card.body as Json[];
    const last = body[body.length - 1];
    const [showCard] = last.actions as Json[];
    expect(showCard).toMatchObject({ type: 'Action.ShowCard', title: more.label });
    const inner = (showCard.card as Json).body as Json[];
    expect(inner.map((b) => b.type)).toEqual(rare.map(() => 'ActionSet'));
    expect(inner.map((b) => ((b.actions as Json[])[0] as Json).title)).toEqual(rare.map((r) => r.label));
  });

  test('a single rarely used control is shown directly, without "More"', () => {
    const one = choicesCard({ choices, secondary, more: { label: 'More options', buttons: rare.slice(0, 1) } }).content as Json;
    const actions = actionsOf(one);
    expect(actions.some((a) => a.type === 'Action.ShowCard')).toBe(false);
    expect(actions.map((a) => a.title)).toEqual([...choices, ...secondary, rare[0]].map((c) => c.label));
  });

  test('a 1–5 rating shares one row; longer labels do not', () => {
    const rating = choicesCard({
      choices: [...'12345'].map((n) => ({ label: n, data: { choice: `RATE_${n}` } })).concat([{ label: 'Skip', data: { choice: 'SKIP' } }]),
    }).content as Json;
    const [ratings, skip] = rating.body as Json[];
    expect(ratings.type).toBe('ColumnSet');
    expect((ratings.columns as Json[]).length).toBe(5);
    expect(skip).toMatchObject({ type: 'ActionSet' });
  });

  test('Teams: messageBack shows the label in the chat and carries our object', () => {
    const [first] = actionsOf(card);
    const data = first.data as Json;
    expect(data).toMatchObject(choices[0].data);
    expect(data.msteams).toEqual({
      type: 'messageBack',
      displayText: choices[0].label,
      text: choices[0].label,
      value: JSON.stringify(choices[0].data),
    });
  });

  test('Web Chat: performs a messageBack with our object as value and the label on display', () => {
    const [first] = actionsOf(card);
    const data = first.data as Json;
    expect(data.__isBotFrameworkCardAction).toBe(true);
    expect(data.cardAction).toEqual({
      type: 'messageBack',
      title: choices[0].label,
      displayText: choices[0].label,
      text: choices[0].label,
      value: choices[0].data,
    });
  });

  test('what each client delivers reads back as the original data', () => {
    for (const [i, action] of actionsOf(card).filter((a) => a.type === 'Action.Submit').entries()) {
      const original = [...choices, ...secondary, ...rare][i].data;
      const data = action.data as Json;
      // Teams messageBack: the data's other keys merged with the parsed msteams.value.
      const { msteams, ...rest } = data as { msteams: { value: string } };
      const teamsValue = { ...rest, ...(JSON.parse(msteams.value) as Json) };
      // Web Chat messageBack: cardAction.value; Web Chat plain postBack: the whole data.
      const webChatValue = (data.cardAction as Json).value;
      for (const value of [teamsValue, webChatValue, data]) {
        expect(cardSubmitValue({ type: 'message', value })).toEqual(original);
      }
    }
  });

  test('stays small: a full step card is a few KB (Teams caps a message at ~28 KB)', () => {
    expect(JSON.stringify(attachment).length).toBeLessThan(8 * 1024);
  });

  test('works without text or secondary buttons', () => {
    const only = choicesCard({ choices: choices.slice(0, 1) });
    const body = (only.content as Json).body as Json[];
    expect(body).toHaveLength(1);
    expect(body[0].type).toBe('ActionSet');
  });

  test('rejects what would break in a client', () => {
    expect(() => choicesCard({ choices: [] })).toThrow(/text or at least one button/);
    expect(() => choicesCard({ choices: [{ label: ' ', data: { a: 1 } }] })).toThrow(/label/);
    expect(() => choicesCard({ choices: [{ label: 'A', data: 'A' as unknown as Json }] })).toThrow(/object data/);
    expect(() => choicesCard({ choices: [{ label: 'A', data: { msteams: {} } }] })).toThrow(/reserved/);
    expect(() => choicesCard({ choices, more: { label: ' ', buttons: rare } })).toThrow(/"More" button needs a non-empty label/);
    expect(() => choicesCard({ choices, more: { label: 'More', buttons: [{ label: '', data: { a: 1 } }, rare[0]] } })).toThrow(/label/);
  });

  test('the card builder only uses the labels it is given (no strings of its own)', () => {
    const json = JSON.stringify(choicesCard({ choices: [{ label: 'Ⓧ', data: { x: 1 } }] }).content);
    const strings = [...json.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
    const visible = strings.filter((s) => /\s/.test(s) && !s.startsWith('http'));
    expect(visible).toEqual([]);
  });
});

describe('reused buttons', () => {
  const frozen = Object.freeze({ label: 'Go on', data: Object.freeze({ ag: 'choice', choice: 'CONTINUE', step: 'reactivate.expired' }) });

  test('a frozen button (the renderer reuses them) gets the same frozen action in every card', () => {
    const first = actionsOf(choicesCard({ choices: [frozen] }).content);
    const second = actionsOf(choicesCard({ choices: [frozen], secondary }).content);

    expect(second[0]).toBe(first[0]);
    expect(Object.isFrozen(first[0])).toBe(true);
    expect(Object.isFrozen(first[0]!.data)).toBe(true);
    expect(cardSubmitValue({ type: 'message', value: first[0]!.data })).toEqual(frozen.data);
  });

  test('a button that may still change is built anew each time, and left as it was', () => {
    const button = { label: 'Go on', data: { ag: 'choice', choice: 'CONTINUE', step: 'reactivate.expired' } };
    const first = actionsOf(choicesCard({ choices: [button] }).content);
    button.label = 'Continue';

    const second = actionsOf(choicesCard({ choices: [button] }).content);

    expect(second[0]).not.toBe(first[0]);
    expect(second[0]!.title).toBe('Continue');
    expect(Object.isFrozen(button.data)).toBe(false);
  });
});

describe('replyActivity: which controls fold behind "More"', () => {
  const button = (command: 'BACK' | 'START_OVER' | 'AGENT' | 'LANGUAGE', label: string) => ({ label, data: { ag: 'command' as const, command } });
  const reply = {
    locale: 'nl-NL' as const,
    step: 'reactivate.reason',
    markdown: '**Wat is er gebeurd?**',
    choices: [{ label: 'Het is verlopen', data: { ag: 'choice' as const, choice: 'EXPIRED' as never, step: 'reactivate.reason' } }],
    controls: [button('BACK', 'Terug'), button('START_OVER', 'Opnieuw beginnen'), button('AGENT', 'Praten met een medewerker'), button('LANGUAGE', 'English')],
    moreLabel: 'Meer opties',
  };

  test('back and a person stay in view; start over and the language open from "More options"', () => {
    const card = replyActivity(reply).attachments![0].content as Json;
    const body = card.body as Json[];
    const visible = body.flatMap((b) => ((b.actions as Json[] | undefined) ?? []).map((a) => a.title));
    expect(visible).toEqual(['Het is verlopen', 'Terug', 'Praten met een medewerker', 'Meer opties']);
    const showCard = (body[body.length - 1].actions as Json[])[0];
    expect(actionsOf(showCard.card).map((a) => a.title)).toEqual(['Opnieuw beginnen', 'English']);
  });

  test('with only the language to fold, it is shown directly', () => {
    const start = { ...reply, controls: [button('AGENT', 'Praten met een medewerker'), button('LANGUAGE', 'English')] };
    const card = replyActivity(start).attachments![0].content as Json;
    expect(actionsOf(card).map((a) => a.title)).toEqual(['Het is verlopen', 'Praten met een medewerker', 'English']);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { choicesCard } from '../../src/bot/card';
import { cardSubmitValue, conversationKind, isInstallOrAdded, readLocale, textWithoutMentions } from '../../src/channels/teams';

/** Recorded activity shapes; each test gets a fresh copy, so a mutation would show up as a failure elsewhere. */
function fixture(name: string): Activity {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'teams', `${name}.json`), 'utf8')) as Activity;
}

const FIXTURES = [
  'personal-message',
  'groupchat-mention',
  'groupchat-mention-nbsp',
  'channel-mention',
  'card-submit',
  'installation-update-add',
  'conversation-update-bot-added',
  'conversation-update-user-added',
  'message-clientinfo-locale-only',
  'message-no-locale',
  'webchat-card-submit',
  'webchat-conversation-update',
];

describe('readLocale', () => {
  test.each([
    ['personal-message', 'nl-NL'],
    ['groupchat-mention', 'en-GB'],
    ['installation-update-add', 'nl-NL'],
    ['webchat-card-submit', 'en-US'],
  ])('%s: from activity.locale', (name, locale) => {
    expect(readLocale(fixture(name))).toBe(locale);
  });

  test('Teams message without activity.locale: from the clientInfo entity', () => {
    const activity = fixture('message-clientinfo-locale-only');
    expect(activity.locale).toBeUndefined();
    expect(readLocale(activity)).toBe('nl-NL');
  });

  test('neither activity.locale nor a clientInfo locale: undefined, so the caller keeps the last known one', () => {
    expect(readLocale(fixture('message-no-locale'))).toBeUndefined();
    expect(readLocale(fixture('conversation-update-bot-added'))).toBeUndefined();
    expect(readLocale({ type: 'message', locale: '  ', entities: [{ type: 'clientInfo', locale: '' }] })).toBeUndefined();
  });

  test('activity.locale wins over clientInfo; entity type is matched case-insensitively', () => {
    expect(readLocale({ locale: 'en-US', entities: [{ type: 'clientInfo', locale: 'nl-NL' }] })).toBe('en-US');
    expect(readLocale({ entities: [{ type: 'ClientInfo', locale: 'nl-BE' }] })).toBe('nl-BE');
  });
});

describe('textWithoutMentions', () => {
  test('personal chat: text as typed', () => {
    expect(textWithoutMentions(fixture('personal-message'))).toBe('Mijn Office zegt Product zonder licentie');
  });

  test('group chat: the bot mention and the trailing newline are gone', () => {
    expect(textWithoutMentions(fixture('groupchat-mention'))).toBe('the product key you entered has expired');
  });

  test('channel: same as group chat', () => {
    expect(textWithoutMentions(fixture('channel-mention'))).toBe('reactivate');
  });

  test('&nbsp; inside and after the bot mention; another person keeps their name without tags', () => {
    expect(textWithoutMentions(fixture('groupchat-mention-nbsp'))).toBe('help Sanne activeren lukt niet');
  });

  test('does not modify the activity (unlike TurnContext.removeRecipientMention)', () => {
    const activity = fixture('groupchat-mention');
    const before = JSON.stringify(activity);
    textWithoutMentions(activity);
    expect(JSON.stringify(activity)).toBe(before);
  });

  test('every mention of the bot is removed, not only the first', () => {
    const activity = fixture('groupchat-mention');
    activity.text = '<at>Activation Guide</at> start over <at>Activation Guide</at>';
    expect(textWithoutMentions(activity)).toBe('start over');
  });

  test('mention text without <at> tags, as some clients send it', () => {
    const activity = fixture('groupchat-mention');
    activity.text = '@Activation Guide help';
    activity.entities = [{ type: 'mention', text: '@Activation Guide', mentioned: { id: activity.recipient.id, name: 'Activation Guide' } }];
    expect(textWithoutMentions(activity)).toBe('help');
  });

  test('bot markup without a mention entity is still removed; the bot name as a plain word stays', () => {
    const activity = fixture('groupchat-mention');
    activity.entities = [];
    activity.text = '<at>Activation Guide</at> is Activation Guide free?';
    expect(textWithoutMentions(activity)).toBe('is Activation Guide free?');
  });

  test('a mention entity for someone else never removes text', () => {
    const activity = fixture('groupchat-mention');
    activity.text = '<at>Pieter</at> can you help';
    activity.entities = [{ type: 'mention', text: '<at>Pieter</at>', mentioned: { id: '29:someone-else', name: 'Pieter' } }];
    expect(textWithoutMentions(activity)).toBe('Pieter can you help');
  });

  test('a card submit without text gives an empty string', () => {
    expect(textWithoutMentions({ type: 'message', value: { ag: 'command' } })).toBe('');
  });

  test('HTML entities that Teams escapes come back as characters', () => {
    expect(textWithoutMentions({ type: 'message', text: 'Word &amp; Excel zeggen &quot;Product zonder licentie&quot;' })).toBe(
      'Word & Excel zeggen "Product zonder licentie"',
    );
  });
});

describe('isInstallOrAdded', () => {
  test('installationUpdate add: welcome', () => {
    expect(isInstallOrAdded(fixture('installation-update-add'))).toBe(true);
  });

  test('installationUpdate add-upgrade (an app update added the bot): welcome; removals: no', () => {
    const activity = fixture('installation-update-add');
    expect(isInstallOrAdded({ ...activity, action: 'add-upgrade' })).toBe(true);
    expect(isInstallOrAdded({ ...activity, action: 'remove' })).toBe(false);
    expect(isInstallOrAdded({ ...activity, action: 'remove-upgrade' })).toBe(false);
  });

  test('Teams also sends conversationUpdate(bot added) for the same install: not a second welcome', () => {
    expect(isInstallOrAdded(fixture('conversation-update-bot-added'))).toBe(false);
  });

  test('another person joining a group chat: no welcome', () => {
    expect(isInstallOrAdded(fixture('conversation-update-user-added'))).toBe(false);
  });

  test('Web Chat: conversationUpdate with the bot among the members added: welcome, once', () => {
    const activity = fixture('webchat-conversation-update');
    expect(isInstallOrAdded(activity)).toBe(true);
    const userOnly = { ...activity, membersAdded: [{ id: 'dl_8b4f2c7e91a3d5f0', name: '' }] };
    expect(isInstallOrAdded(userOnly)).toBe(false);
  });

  test.each(FIXTURES.filter((name) => !/installation|conversation-update/.test(name)))('%s (a message): never', (name) => {
    expect(isInstallOrAdded(fixture(name))).toBe(false);
  });
});

describe('cardSubmitValue', () => {
  test('Teams messageBack submit: our data, without the client keys', () => {
    expect(cardSubmitValue(fixture('card-submit'))).toEqual({ ag: 'choice', choice: 'PRODUCT_KEY', step: 'start' });
  });

  test('Web Chat messageBack submit: the same object', () => {
    expect(cardSubmitValue(fixture('webchat-card-submit'))).toEqual({ ag: 'command', command: 'START_OVER' });
  });

  test('Teams builds that deliver only msteams.value, as a JSON string', () => {
    const activity = fixture('card-submit');
    activity.value = { msteams: { type: 'messageBack', value: '{"ag":"error","id":"key-expired","step":"errorList"}' } };
    expect(cardSubmitValue(activity)).toEqual({ ag: 'error', id: 'key-expired', step: 'errorList' });
  });

  test('Web Chat plain submit of our card data (whole data object, msteams included)', () => {
    const [data] = submitDataOf(choicesCard({ choices: [{ label: 'Help', data: { ag: 'command', command: 'HELP' } }] }));
    expect(cardSubmitValue({ type: 'message', channelId: 'webchat', value: data })).toEqual({ ag: 'command', command: 'HELP' });
  });

  test('input fields merged into the value are kept', () => {
    const activity = fixture('card-submit');
    activity.value = { ag: 'choice', choice: 'ACTIVATE', step: 'start', note: 'typed in a field' };
    expect(cardSubmitValue(activity)).toEqual({ ag: 'choice', choice: 'ACTIVATE', step: 'start', note: 'typed in a field' });
  });

  test('no object value: undefined (plain text messages, string values, arrays, non-messages)', () => {
    expect(cardSubmitValue(fixture('personal-message'))).toBeUndefined();
    expect(cardSubmitValue({ type: 'message', value: 'PRODUCT_KEY' })).toBeUndefined();
    expect(cardSubmitValue({ type: 'message', value: ['a'] })).toBeUndefined();
    expect(cardSubmitValue({ type: 'message', value: { msteams: { type: 'messageBack' } } })).toBeUndefined();
    expect(cardSubmitValue({ ...fixture('installation-update-add'), value: { ag: 'command' } })).toBeUndefined();
  });

  test('prototype keys from a crafted value are dropped', () => {
    const value = JSON.parse('{"ag":"command","command":"HELP","__proto__":{"polluted":true}}') as unknown;
    const result = cardSubmitValue({ type: 'message', value });
    expect(result).toEqual({ ag: 'command', command: 'HELP' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('conversationKind', () => {
  test.each([
    ['personal-message', 'personal'],
    ['card-submit', 'personal'],
    ['groupchat-mention', 'groupChat'],
    ['conversation-update-user-added', 'groupChat'],
    ['channel-mention', 'channel'],
    ['webchat-card-submit', 'personal'],
  ])('%s → %s', (name, kind) => {
    expect(conversationKind(fixture(name))).toBe(kind);
  });

  test('without conversationType: team data means channel, isGroup means group chat', () => {
    expect(conversationKind({ conversation: { id: 'x', isGroup: true } as Activity['conversation'], channelData: { team: { id: 't' } } })).toBe('channel');
    expect(conversationKind({ conversation: { id: 'x', isGroup: true } as Activity['conversation'] })).toBe('groupChat');
    expect(conversationKind({})).toBe('personal');
  });
});

test('every fixture is a plausible Teams or Web Chat activity that goes nowhere real', () => {
  for (const name of FIXTURES) {
    const activity = fixture(name);
    expect(activity.type).toBeTruthy();
    expect(['msteams', 'webchat']).toContain(activity.channelId);
    expect(new URL(activity.serviceUrl).hostname).toMatch(/\.invalid$/);
    if (activity.channelId === 'msteams') {
      expect(activity.recipient.id).toMatch(/^28:[0-9a-f-]{36}$/);
      expect(activity.conversation.tenantId).toMatch(/^[0-9a-f-]{36}$/);
      expect(['personal', 'groupChat', 'channel']).toContain(activity.conversation.conversationType);
    }
  }
});

/** The `data` of every Action.Submit in a card attachment. */
function submitDataOf(attachment: { content?: unknown }): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.type === 'Action.Submit') found.push(record.data as Record<string, unknown>);
    Object.values(record).forEach(walk);
  };
  walk(attachment.content);
  return found;
}

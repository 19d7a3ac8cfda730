import type { Activity } from 'botbuilder';
import { startHarness, type Harness } from '../support/bot-harness';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { copy } from '../support/shared-conversation';

/**
 * The "unavailable" and "something went wrong" notices go out in the shape of every other reply:
 * Markdown, the locale, and `inputHint: expectingInput` so that clients keep the input open for
 * the retry they ask for.
 */

let redis: RedisServer;
let h: Harness;
let failNextObserver = false;

beforeAll(async () => {
  redis = await startRedisServer();
  h = await startHarness({
    env: { REDIS_URL: redis.url },
    overrides: {
      observers: [
        () => {
          if (failNextObserver) {
            failNextObserver = false;
            throw new Error('an observer failed on purpose');
          }
        },
      ],
    },
  });
});

afterAll(async () => {
  await h?.close();
  await redis?.dispose();
});

const shape = (a: Activity | undefined) => ({ type: a?.type, textFormat: a?.textFormat, inputHint: a?.inputHint, locale: a?.locale });

test.each([['en-US'], ['nl-NL']] as const)('in %s, the unavailable and the error notice look like a normal reply', async (locale) => {
  const chat = h.conversation(locale);
  await chat.say('hello');
  const normal = chat.last();
  expect(shape(normal)).toEqual({ type: 'message', textFormat: 'markdown', inputHint: 'expectingInput', locale });

  failNextObserver = true;
  await chat.say('my subscription expired');
  const failed = chat.last();
  expect(failed?.text).toBe(copy(locale, 'common:notice.somethingWentWrong'));
  expect(shape(failed)).toEqual(shape(normal));

  await redis.stop();
  try {
    await chat.say('it expired');
    const unavailable = chat.last();
    expect(unavailable?.text).toBe(copy(locale, 'common:notice.unavailable'));
    expect(shape(unavailable)).toEqual(shape(normal));
  } finally {
    await redis.start();
  }
});

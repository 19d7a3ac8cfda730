import { goTo, say, step } from './step';

/** A failed redemption: first where Microsoft lists the product key errors, then ask for the message. */
const redeemFailed = { target: goTo('knownError.paste'), actions: say('productKey:notice.redeemFailed', ['productKey.errors']) } as const;

/** Product key: business or home key? → redeem it on the right setup page → did it work? (no: paste the error) */
export const productKey = {
  initial: 'keyType',
  states: {
    keyType: step(
      { step: 'productKey.keyType', content: ['productKey.intro'], ask: 'productKey:ask.keyType', choices: ['BUSINESS', 'HOME'], input: 'choice' },
      { on: { BUSINESS: goTo('productKey.redeemBusiness'), HOME: goTo('productKey.redeemHome') } },
    ),
    redeemBusiness: step(
      { step: 'productKey.redeemBusiness', content: ['productKey.redeemBusiness', 'productKey.typos'], ask: 'productKey:ask.worked', choices: ['YES', 'NO'], input: 'choice' },
      { on: { YES: goTo('resolved'), NO: redeemFailed } },
    ),
    redeemHome: step(
      { step: 'productKey.redeemHome', content: ['productKey.redeemHome', 'productKey.typos'], ask: 'productKey:ask.worked', choices: ['YES', 'NO'], input: 'choice' },
      { on: { YES: goTo('resolved'), NO: redeemFailed } },
    ),
  },
} as const;

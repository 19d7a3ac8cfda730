import { goTo, step } from './step';

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
      { on: { YES: goTo('resolved'), NO: goTo('knownError.paste') } },
    ),
    redeemHome: step(
      { step: 'productKey.redeemHome', content: ['productKey.redeemHome', 'productKey.typos'], ask: 'productKey:ask.worked', choices: ['YES', 'NO'], input: 'choice' },
      { on: { YES: goTo('resolved'), NO: goTo('knownError.paste') } },
    ),
  },
} as const;

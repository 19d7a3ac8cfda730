import { goTo, step } from './step';

/**
 * Activate: license assigned? (not sure: check My Account first) → apps installed? → signed in with
 * the work account? → did it help?
 */
export const activate = {
  initial: 'license',
  states: {
    license: step(
      { step: 'activate.license', content: ['activate.license'], ask: 'activate:ask.license', choices: ['YES', 'NO', 'NOT_SURE'], input: 'choice' },
      { on: { YES: goTo('activate.apps'), NO: goTo('activate.assignLicense'), NOT_SURE: goTo('activate.checkLicense') } },
    ),
    // Most people who are not sure are users, not admins: they can see for themselves before anyone
    // is asked to assign anything. A person is offered here too, as a choice rather than a control.
    checkLicense: step(
      { step: 'activate.checkLicense', content: ['activate.checkLicense'], ask: 'activate:ask.appsListed', choices: ['YES', 'NO', 'AGENT'], input: 'choice' },
      { on: { YES: goTo('activate.apps'), NO: goTo('activate.assignLicense') } },
    ),
    assignLicense: step(
      { step: 'activate.assignLicense', content: ['activate.assignLicense'], ask: 'activate:ask.licenseAssigned', choices: ['YES', 'NO'], input: 'choice' },
      { on: { YES: goTo('activate.apps'), NO: goTo('notResolved') } },
    ),
    apps: step(
      { step: 'activate.apps', ask: 'activate:ask.appsInstalled', choices: ['YES', 'NO'], input: 'choice' },
      { on: { YES: goTo('activate.signIn'), NO: goTo('activate.install') } },
    ),
    install: step(
      { step: 'activate.install', content: ['activate.install'], ask: 'activate:ask.installed', choices: ['YES', 'NO'], input: 'choice' },
      { on: { YES: goTo('activate.signIn'), NO: goTo('notResolved') } },
    ),
    signIn: step(
      { step: 'activate.signIn', content: ['activate.signIn'], ask: 'common:ask.helped', choices: ['YES', 'NO'], input: 'choice' },
      { on: { YES: goTo('resolved'), NO: goTo('notResolved') } },
    ),
  },
} as const;

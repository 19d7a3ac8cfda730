import { INVOKE_RESPONSE_KEY, type Middleware } from 'botbuilder';

/**
 * The guide has no invoke handlers (its cards submit messages). CloudAdapter answers an invoke
 * nobody responded to with 501, a server error for what is really "not supported here"; like any
 * other activity type the bot does not use, it gets 200 and is otherwise ignored.
 */
export const answerUnhandledInvokes: Middleware = {
  async onTurn(context, next) {
    await next();
    if (context.activity.type === 'invoke' && !context.turnState.get(INVOKE_RESPONSE_KEY)) {
      await context.sendActivity({ type: 'invokeResponse', value: { status: 200 } });
    }
  },
};

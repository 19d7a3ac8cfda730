import { startHarness } from '../support/bot-harness';
import { SharedConversation, endpointOf, storedRecord, storedStep } from '../support/shared-conversation';
test('spike', async () => {
  const h = await startHarness();
  const a = endpointOf(h, 'a');
  const c = new SharedConversation();
  for (const r of [await c.say(a, 'my subscription expired'), await c.click(a, 'It expired'), await c.say(a, 'hello there')]) {
    console.log(r.status, r.step, r.replies.length, r.replies.map(x => x.replyToId), r.text.slice(0, 300));
  }
  const rec = await storedRecord(h.app.store, c.key);
  console.log(JSON.stringify(rec).slice(0, 600), storedStep(rec));
  await h.close();
});

/**
 * A visitor of the self-hosted Direct Line over plain HTTP, as a polling client does: start a
 * conversation, post, and read the bot's replies to that post by watermark. The token and the
 * watermark are kept, so the same visitor can go on after the server behind `url` has changed.
 */
export interface Said {
  status: number;
  /** The texts of the bot's replies to this post (empty when the post was not acknowledged). */
  replies: string[];
}

const REPLY_WAIT_MS = 20_000;

export class DirectLineVisitor {
  private watermark = '';

  private constructor(
    readonly conversationId: string,
    readonly token: string,
  ) {}

  static async start(url: string, locale = 'en-US'): Promise<DirectLineVisitor> {
    const res = await fetch(`${url}/v3/directline/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ locale }),
    });
    if (res.status !== 201) throw new Error(`start: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { conversationId: string; token: string };
    return new DirectLineVisitor(body.conversationId, body.token);
  }

  /** Posts a message; once acknowledged (200), waits for the bot's replies to it. A broken connection throws. */
  async say(url: string, text: string, locale = 'en-US'): Promise<Said> {
    const res = await fetch(`${url}/v3/directline/conversations/${this.conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text, locale, from: { id: 'visitor' } }),
    });
    const body = (await res.json()) as { id?: string };
    if (res.status !== 200 || !body.id) return { status: res.status, replies: [] };
    return { status: 200, replies: await this.repliesTo(url, body.id) };
  }

  /** The bot's replies to an activity: the turn has run when the post is answered, so one read usually finds them. */
  async repliesTo(url: string, id: string): Promise<string[]> {
    const deadline = Date.now() + REPLY_WAIT_MS;
    const replies: string[] = [];
    while (Date.now() < deadline) {
      const res = await fetch(`${url}/v3/directline/conversations/${this.conversationId}/activities?watermark=${this.watermark}`, {
        headers: { authorization: `Bearer ${this.token}` },
      });
      if (res.status !== 200) throw new Error(`read: ${res.status} ${await res.text()}`);
      const set = (await res.json()) as { activities: Array<{ type: string; text?: string; replyToId?: string; from: { role: string } }>; watermark: string };
      this.watermark = set.watermark;
      for (const activity of set.activities) {
        if (activity.type === 'message' && activity.from.role === 'bot' && activity.replyToId === id) replies.push(activity.text ?? '');
      }
      if (replies.length > 0) return replies;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return replies;
  }
}

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTokenSigner, loadTokenKey } from '../../src/channels/directline-tokens';

describe('the Direct Line token key', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ag-dl-key-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is made once and kept in DATA_DIR, readable by the owner only, so a restart signs and checks alike', async () => {
    const first = loadTokenKey(undefined, dataDir);
    const file = path.join(dataDir, 'directline', 'token-key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = await createTokenSigner(first).sign({ conversationId: 'c1', tokenId: 't1', userId: 'u1' }, 60_000);
    const again = loadTokenKey(undefined, dataDir);
    await expect(createTokenSigner(again).verify(token)).resolves.toEqual({ ok: true, claims: { conversationId: 'c1', tokenId: 't1', userId: 'u1' } });
  });

  it('is the configured one when set (nothing is written), and a token signed with another key is invalid', async () => {
    const configured = loadTokenKey('a-configured-key-of-at-least-32-characters', dataDir);
    const token = await createTokenSigner(configured).sign({ conversationId: 'c1', tokenId: 't1', userId: 'u1' }, 60_000);
    expect(() => statSync(path.join(dataDir, 'directline', 'token-key'))).toThrow();
    await expect(createTokenSigner(loadTokenKey(undefined, dataDir)).verify(token)).resolves.toEqual({ ok: false, reason: 'invalid' });
    await expect(createTokenSigner(configured).verify(`${token}x`)).resolves.toEqual({ ok: false, reason: 'invalid' });
  });

  it('expires tokens at their lifetime', async () => {
    let now = Date.UTC(2026, 0, 1);
    const signer = createTokenSigner(loadTokenKey(undefined, dataDir), () => now);
    const token = await signer.sign({ conversationId: 'c1', tokenId: 't1', userId: 'u1' }, 30 * 60_000);
    now += 30 * 60_000 - 1000;
    expect((await signer.verify(token)).ok).toBe(true);
    now += 1000;
    await expect(signer.verify(token)).resolves.toEqual({ ok: false, reason: 'expired' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ArticlesService } from './testing/articles.service.js';
import { createNestTestTiers, type NestTestTiers } from './testing/nest-test-tiers.js';

describe('@InvalidateTags', () => {
  let tiers: NestTestTiers;
  beforeAll(async () => {
    tiers = await createNestTestTiers('invalidate');
  });
  afterAll(async () => tiers.dispose());

  async function setup() {
    const options = tiers.options();
    const moduleRef = await tiers.start({ providers: [ArticlesService] }, options);
    return { articles: moduleRef.get(ArticlesService), namespace: options.namespace! };
  }

  it('invalidates tags from the arguments once the method resolved, here and in the shared tiers', async () => {
    const { articles, namespace } = await setup();
    await articles.byId('1');
    await articles.byId('2');
    await articles.rename('1', 'Uno');
    expect(await articles.byId('1')).toMatchObject({ title: 'Uno' });
    expect(await articles.byId('2')).toMatchObject({ title: 'Two' });
    expect(articles.calls.byId).toBe(3);
    const peer = await tiers.peer(namespace);
    expect(await peer.get('article:1')).toMatchObject({ title: 'Uno' });
  });

  it('invalidates tags computed from the result', async () => {
    const { articles } = await setup();
    await articles.byId('7');
    await articles.retitle('Seven', 'Sieben');
    expect(await articles.byId('7')).toMatchObject({ title: 'Sieben' });
    expect(articles.calls.byId).toBe(2);
  });

  it('invalidates nothing while the method is still running', async () => {
    const { articles } = await setup();
    await articles.byId('2');
    let release!: () => void;
    articles.renameGate = new Promise<void>((resolve) => (release = resolve));
    const renaming = articles.rename('2', 'Deux');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await articles.byId('2')).toMatchObject({ title: 'Two' });
    expect(articles.calls.byId).toBe(1);
    release();
    await renaming;
    expect(await articles.byId('2')).toMatchObject({ title: 'Deux' });
    expect(articles.calls.byId).toBe(2);
  });

  it('invalidates nothing when the method throws, and passes the error through', async () => {
    const { articles, namespace } = await setup();
    await articles.byId('1');
    await expect(articles.failingRename()).rejects.toThrow('write failed');
    expect(articles.calls.failingRename).toBe(1);
    expect(await articles.byId('1')).toMatchObject({ title: 'One' });
    expect(articles.calls.byId).toBe(1);
    const peer = await tiers.peer(namespace);
    expect(await peer.get('article:1')).toMatchObject({ title: 'One' });
  });
});

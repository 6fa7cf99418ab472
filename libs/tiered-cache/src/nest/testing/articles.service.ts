import { Injectable } from '@nestjs/common';
import { Cached } from '../cached.decorator.js';
import { InvalidateTags } from '../invalidate-tags.decorator.js';

export interface Article {
  readonly id: string;
  readonly title: string;
  readonly authorId: string;
}

/** A sample provider: an in-memory "database" whose reads count how often they really ran. */
@Injectable()
export class ArticlesService {
  readonly calls: Record<string, number> = {};
  private readonly rows = new Map<string, Article>([
    ['1', { id: '1', title: 'One', authorId: 'ann' }],
    ['2', { id: '2', title: 'Two', authorId: 'bob' }],
    ['7', { id: '7', title: 'Seven', authorId: 'ann' }],
  ]);
  /** Set to make `rename` wait until it is resolved from outside. */
  renameGate: Promise<void> | undefined;

  @Cached()
  async search(filter: Record<string, unknown>, page?: unknown): Promise<{ filter: unknown; page: unknown; run: number }> {
    return { filter, page, run: this.count('search') };
  }

  @Cached({ key: (id: string) => `article:${id}`, tags: ([id]) => [`article:${id}`], ttl: '1m' })
  async byId(id: string): Promise<Article | undefined> {
    this.count('byId');
    return this.rows.get(id);
  }

  @Cached({ key: (authorId: string) => `by-author:${authorId}`, tags: (_args, result: Article[]) => result.map((a) => `article:${a.id}`) })
  async byAuthor(authorId: string): Promise<Article[]> {
    this.count('byAuthor');
    return [...this.rows.values()].filter((a) => a.authorId === authorId);
  }

  @Cached({ key: (raw: string) => raw })
  async rawKey(raw: string): Promise<string> {
    return `${raw}#${this.count('rawKey')}`;
  }

  @Cached({ scope: 'user' })
  async myDrafts(): Promise<{ run: number }> {
    return { run: this.count('myDrafts') };
  }

  @Cached({ scope: 'tenant', key: (name: string) => `settings:${name}` })
  async tenantSetting(name: string): Promise<string> {
    return `${name}@${this.count('tenantSetting')}`;
  }

  /** A key function that forgets a case: without an argument it returns undefined. */
  @Cached({ scope: 'user', key: (slot?: string) => slot as string })
  async userSlot(slot?: string): Promise<string> {
    return `${slot}#${this.count('userSlot')}`;
  }

  @Cached()
  async withCallback(): Promise<{ label: string; format: () => string }> {
    this.count('withCallback');
    return { label: 'x', format: () => 'x' };
  }

  @Cached()
  async slow(id: string): Promise<{ id: string; run: number }> {
    const run = this.count('slow');
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { id, run };
  }

  /** Resilience options pass through the decorator to the engine. */
  @Cached({ hardTimeout: '50ms' })
  async tooSlow(): Promise<string> {
    this.count('tooSlow');
    await new Promise((resolve) => setTimeout(resolve, 200));
    return 'late';
  }

  @InvalidateTags(([id]) => [`article:${id}`])
  async rename(id: string, title: string): Promise<Article> {
    await this.renameGate;
    return this.write(id, title);
  }

  /** Finds the article by title, so the tag to invalidate is known only from the result. */
  @InvalidateTags((_args, result: Article) => [`article:${result.id}`])
  async retitle(oldTitle: string, title: string): Promise<Article> {
    const article = [...this.rows.values()].find((a) => a.title === oldTitle)!;
    return this.write(article.id, title);
  }

  @InvalidateTags(['article:1'])
  async failingRename(): Promise<void> {
    this.count('failingRename');
    throw new Error('write failed');
  }

  private write(id: string, title: string): Article {
    const renamed = { ...this.rows.get(id)!, title };
    this.rows.set(id, renamed);
    return renamed;
  }

  private count(method: string): number {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    return this.calls[method];
  }
}

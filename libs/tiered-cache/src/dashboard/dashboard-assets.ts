import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Injectable } from '@nestjs/common';

/** One file the page loads. */
export interface DashboardAsset {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Record<string, string> = {
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
/** Names an asset may have: no path separators, no dot files, a known extension. */
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(mjs|css|svg)$/;
const PAGE = 'index.html';

/** Placeholders of `index.html`, all HTML-escaped when filled in. */
export interface DashboardPageValues {
  /** The page's own URL path, ending in `/`: relative asset URLs resolve against it. */
  base: string;
  /** Absolute path of the admin REST API, without a trailing `/`. */
  api: string;
  refreshMs: number;
  title: string;
}

/**
 * The page's files, read once from `public/` next to this module (`npm run build` copies them to
 * `dist/`), and held in memory: a dozen small files. Only files of `public/` with a known type are
 * served, by exact name, so a request can never reach anything else on disk.
 */
@Injectable()
export class DashboardAssets {
  readonly directory: string;
  private readonly files = new Map<string, DashboardAsset>();
  private readonly template: string;

  constructor() {
    this.directory = fileURLToPath(new URL('./public/', import.meta.url));
    this.template = readFileSync(join(this.directory, PAGE), 'utf8');
    for (const name of readdirSync(this.directory)) {
      if (ASSET_NAME.test(name)) this.files.set(name, { type: TYPES[extname(name)]!, body: readFileSync(join(this.directory, name)) });
    }
  }

  /** Names of the files served under `assets/`. */
  names(): string[] {
    return [...this.files.keys()].sort();
  }

  asset(name: string): DashboardAsset | undefined {
    return ASSET_NAME.test(name) ? this.files.get(name) : undefined;
  }

  /** `index.html` with its `{{name}}` placeholders filled in. */
  page(values: DashboardPageValues): string {
    const fill: Record<string, string> = { base: values.base, api: values.api, refreshMs: String(values.refreshMs), title: values.title };
    return this.template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in fill ? escapeHtml(fill[name]!) : whole));
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

import { Inject, Injectable, Logger, NotFoundException, type MessageEvent, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Observable, type Subscriber } from 'rxjs';
import { DataSource } from 'typeorm';
import { PgChannelListener, type ListenClientFactory } from '@tiered-cache/nestjs';
import { LISTEN_CLIENT_FACTORY } from '../cache/index.js';
import { CHAT_EVENTS_CHANNEL, parseChatEventsPayload } from './chat-events.payload.js';
import type { ChatMessageDto } from './chat.dto.js';
import { EVENTS_CURSOR_SQL, EVENTS_FETCH_BATCH, EVENTS_FETCH_SQL } from './chats.queries.js';

/** A comment-like event every so often, so proxies keep an idle stream open. */
const HEARTBEAT_MS = 25_000;

interface Watcher {
  readonly userId: string;
  /** Id of the last message sent to this stream. */
  cursor: number;
  readonly out: Subscriber<MessageEvent>;
}

/**
 * Server-Sent Events for `GET /chats/:id/events`, fed by LISTEN/NOTIFY, so a message written
 * through any app instance, or by plain SQL, reaches every instance's streams.
 *
 * The trigger sends ids, not contents. On a notification for a chat this instance watches, it
 * reads the chat's messages after the lowest cursor of its streams (one query, however many
 * streams), checks each row's current owner against each stream's user, and sends each stream
 * what is newer than its own cursor. Reads per chat are chained, so two notifications never send a
 * message twice. After a LISTEN reconnect every watched chat is re-read the same way, so nothing
 * sent during the gap is lost. A client reconnecting with `Last-Event-ID` resumes after that id.
 */
@Injectable()
export class ChatEventsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ChatEvents');
  private readonly watchers = new Map<number, Set<Watcher>>();
  private readonly reads = new Map<number, Promise<void>>();
  private readonly listener: PgChannelListener;

  constructor(
    private readonly db: DataSource,
    @Inject(LISTEN_CLIENT_FACTORY) createClient: ListenClientFactory,
  ) {
    this.listener = new PgChannelListener({
      createClient,
      channel: CHAT_EVENTS_CHANNEL,
      onNotification: (payload) => this.onNotification(payload),
      onConnected: () => {
        for (const chatId of this.watchers.keys()) this.scheduleRead(chatId);
      },
      onError: (error) => this.logger.warn(`LISTEN ${CHAT_EVENTS_CHANNEL}: ${error.message}`),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener.start();
  }

  /** Ends every open stream (so the HTTP server can close) and stops listening. */
  async onModuleDestroy(): Promise<void> {
    for (const watchers of this.watchers.values()) for (const watcher of watchers) watcher.out.complete();
    this.watchers.clear();
    await this.listener.stop();
  }

  /**
   * Id of the newest message of one of `userId`'s chats (0 when it has none): where a new stream
   * starts. Called by {@link ChatStreamGuard} before the stream opens, so a chat that is not the
   * caller's is a plain 404, not an error event inside a 200 stream.
   * @throws NotFoundException when the chat is not the user's.
   */
  async lastMessageId(userId: string, chatId: number): Promise<number> {
    const [row] = (await this.db.query(EVENTS_CURSOR_SQL, [chatId, userId])) as Array<{ lastId: number }>;
    if (!row) throw new NotFoundException(`Chat ${chatId} not found`);
    return row.lastId;
  }

  /**
   * The event stream of one of `userId`'s chats, whose ownership was checked and whose newest
   * message is `lastId`: first a `ready` event, then a `message` event (id = message id) per new
   * message, `deleted` if the chat goes, and `ping` as a heartbeat. With `lastEventId` older than
   * `lastId`, the messages after it are sent first.
   */
  stream(userId: string, chatId: number, lastId: number, lastEventId?: number): Observable<MessageEvent> {
    const resume = lastEventId !== undefined && lastEventId < lastId;
    const cursor = resume ? lastEventId : lastId;
    return new Observable<MessageEvent>((out) => {
      const watcher: Watcher = { userId, cursor, out };
      let watchers = this.watchers.get(chatId);
      if (!watchers) this.watchers.set(chatId, (watchers = new Set()));
      watchers.add(watcher);
      // Every event carries the stream's cursor as its id: without one, Nest numbers events 1, 2, ...
      // and a reconnecting EventSource would send that number back as Last-Event-ID.
      out.next({ id: String(cursor), type: 'ready', data: { chatId, lastEventId: cursor } });
      // Catches what was written between the ownership check and now (and, resuming, since lastEventId).
      this.scheduleRead(chatId);
      const heartbeat = setInterval(() => out.next({ id: String(watcher.cursor), type: 'ping', data: {} }), HEARTBEAT_MS);
      heartbeat.unref();
      return () => {
        clearInterval(heartbeat);
        watchers.delete(watcher);
        if (watchers.size === 0 && this.watchers.get(chatId) === watchers) this.watchers.delete(chatId);
      };
    });
  }

  private onNotification(payload: string): void {
    const { messages, deleted } = parseChatEventsPayload(payload);
    for (const event of messages) if (this.watchers.has(event.chatId)) this.scheduleRead(event.chatId);
    for (const event of deleted) {
      for (const watcher of this.watchers.get(event.chatId) ?? []) {
        if (watcher.userId !== event.userId) continue;
        watcher.out.next({ id: String(watcher.cursor), type: 'deleted', data: { chatId: event.chatId } });
        watcher.out.complete();
      }
    }
  }

  private scheduleRead(chatId: number): void {
    const previous = this.reads.get(chatId) ?? Promise.resolve();
    const next = previous.then(() => this.read(chatId)).catch((error: unknown) => {
      this.logger.warn(`Reading new messages of chat ${chatId} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.reads.set(chatId, next);
    void next.finally(() => {
      if (this.reads.get(chatId) === next) this.reads.delete(chatId);
    });
  }

  private async read(chatId: number): Promise<void> {
    const watchers = [...(this.watchers.get(chatId) ?? [])];
    if (watchers.length === 0) return;
    let from = Math.min(...watchers.map((w) => w.cursor));
    for (;;) {
      const rows = (await this.db.query(EVENTS_FETCH_SQL, [chatId, from])) as Array<ChatMessageDto & { userId: string }>;
      for (const { userId, ...message } of rows) {
        for (const watcher of watchers) {
          // Ownership is checked on every message, against the row as it is now.
          if (watcher.userId !== userId || message.id <= watcher.cursor) continue;
          watcher.cursor = message.id;
          watcher.out.next({ id: String(message.id), type: 'message', data: message });
        }
      }
      if (rows.length < EVENTS_FETCH_BATCH) return;
      from = rows[rows.length - 1].id;
    }
  }
}

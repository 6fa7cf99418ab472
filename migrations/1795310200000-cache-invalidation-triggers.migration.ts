import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Trigger-driven cache invalidation (seed 003's `trigger_cache_invalidation`, made set-based).
 *
 * Every domain table whose rows feed a cached query gets statement-level AFTER triggers with
 * transition tables. Per statement, whatever its row count, the trigger:
 *   1. computes the DISTINCT tags the changed rows affect (a join over the transition table);
 *   2. stamps them in `cache_tag_clock` through `cache_invalidate_tags()`, in the writing
 *      transaction, so an L3 read after COMMIT already sees them invalid;
 *   3. `pg_notify`s them on `cache_invalidation` as `{"tags":[...]}`, chunked under PostgreSQL's
 *      8000-byte payload limit. NOTIFY is delivered at COMMIT, and not at all on ROLLBACK.
 * A 100k-row UPDATE therefore sends one notification per ~7 kB of distinct tags, not 100k.
 *
 * Tags (they must match `src/domain/cache-tags.ts`; a test checks it):
 *   clients                  client:<id>
 *   products                 product:<id>, client:<client_id>, product_performance
 *   modules                  client:<client of its product>
 *   student_module_progress  client:<client of the module's product>
 *   expert_sessions          expert_sessions, product:<product_id>, expert_session:<id>
 *   expert_session_progress  product:<session's product>, expert_session:<session>
 *   chat_sessions            chat:<id>, chats:user:<md5(user_id)>
 *   chat_messages            chat:<chat_id> (and, through the chat_sessions update it causes,
 *                            the owner's tag)
 * `students` has no trigger: no cached query shows a student's own columns, and deleting a student
 * cascades to the progress tables, whose triggers fire. TRUNCATE (no transition table) invalidates
 * the coarse tag that every entry of the area carries.
 *
 * Rows reached only through a cascade whose parent is already gone (progress rows of a deleted
 * module, say) join to nothing here; the parent table's own trigger emits the tags instead.
 */

/** Builds `SELECT DISTINCT tag ...` over one transition table (`new_rows` or `old_rows`). */
type TagQuery = (rows: 'new_rows' | 'old_rows') => string;

interface TaggedTable {
  table: string;
  tags: TagQuery;
  /** Tags a TRUNCATE invalidates: every cached entry of the area carries one of them. */
  onTruncate: readonly string[];
}

const TAGGED_TABLES: readonly TaggedTable[] = [
  { table: 'clients', tags: (rows) => `SELECT DISTINCT 'client:' || r.id FROM ${rows} r`, onTruncate: ['product_performance'] },
  {
    table: 'products',
    // Product writes are rare: always drop the unfiltered performance report too, whose tags only
    // name clients that already had products.
    tags: (rows) => `SELECT DISTINCT v.tag FROM ${rows} r,
      LATERAL (VALUES ('product:' || r.id), ('client:' || r.client_id), ('product_performance')) AS v(tag)`,
    onTruncate: ['product_performance', 'expert_sessions'],
  },
  {
    table: 'modules',
    tags: (rows) => `SELECT DISTINCT 'client:' || p.client_id
      FROM (SELECT DISTINCT product_id FROM ${rows}) r JOIN products p ON p.id = r.product_id`,
    onTruncate: ['product_performance'],
  },
  {
    table: 'student_module_progress',
    tags: (rows) => `SELECT DISTINCT 'client:' || p.client_id
      FROM (SELECT DISTINCT module_id FROM ${rows}) r
      JOIN modules m ON m.id = r.module_id
      JOIN products p ON p.id = m.product_id`,
    onTruncate: ['product_performance'],
  },
  {
    table: 'expert_sessions',
    tags: (rows) => `SELECT DISTINCT v.tag FROM ${rows} r,
      LATERAL (VALUES ('expert_sessions'), ('product:' || r.product_id), ('expert_session:' || r.id)) AS v(tag)`,
    onTruncate: ['expert_sessions'],
  },
  {
    table: 'expert_session_progress',
    tags: (rows) => `SELECT DISTINCT v.tag
      FROM (SELECT DISTINCT expert_session_id FROM ${rows}) r
      JOIN expert_sessions s ON s.id = r.expert_session_id,
      LATERAL (VALUES ('product:' || s.product_id), ('expert_session:' || s.id)) AS v(tag)`,
    onTruncate: ['expert_sessions'],
  },
  {
    table: 'chat_sessions',
    tags: (rows) => `SELECT DISTINCT v.tag FROM ${rows} r,
      LATERAL (VALUES ('chat:' || r.id), ('chats:user:' || md5(r.user_id))) AS v(tag)`,
    onTruncate: ['chats'],
  },
  { table: 'chat_messages', tags: (rows) => `SELECT DISTINCT 'chat:' || r.chat_id FROM ${rows} r`, onTruncate: ['chats'] },
];

function sqlTextArray(values: readonly string[]): string {
  return `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]::text[]`;
}

/** One function per table (branching on TG_OP) and one trigger per event. */
function taggedTableSql({ table, tags, onTruncate }: TaggedTable): string {
  const fn = `cache_tags_${table}`;
  return `
CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  v_tags text[] := '{}';
BEGIN
  -- plpgsql plans a statement when it first runs it, so the branch naming a transition table this
  -- event does not have is never planned.
  IF TG_OP = 'TRUNCATE' THEN
    v_tags := ${sqlTextArray(onTruncate)};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    v_tags := v_tags || ARRAY(${tags('new_rows')});
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    v_tags := v_tags || ARRAY(${tags('old_rows')});
  END IF;
  PERFORM cache_publish_tags(v_tags);
  RETURN NULL;
END
$fn$;
CREATE TRIGGER cache_tags_insert AFTER INSERT ON ${table}
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();
CREATE TRIGGER cache_tags_update AFTER UPDATE ON ${table}
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();
CREATE TRIGGER cache_tags_delete AFTER DELETE ON ${table}
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();
CREATE TRIGGER cache_tags_truncate AFTER TRUNCATE ON ${table}
  FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();
`;
}

/**
 * Stamps and notifies a set of tags: DISTINCT, then `cache_invalidate_tags`, then one `pg_notify`
 * per chunk. A chunk closes once its running JSON size passes 7000 bytes; a tag is at most 200
 * characters (under 1 kB as JSON), so every payload stays under the 8000-byte limit.
 * Returns the number of notifications sent.
 */
const PUBLISH_TAGS_SQL = `
CREATE FUNCTION cache_publish_tags(p_tags text[]) RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
  v_tags    text[];
  v_payload text;
  v_sent    integer := 0;
BEGIN
  SELECT array_agg(DISTINCT t ORDER BY t) INTO v_tags FROM unnest(p_tags) AS t WHERE t IS NOT NULL AND t <> '';
  IF v_tags IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM cache_invalidate_tags(v_tags);
  FOR v_payload IN
    SELECT json_build_object('tags', json_agg(tag ORDER BY ord))::text
    FROM (
      SELECT tag, ord, (sum(octet_length(to_json(tag)::text) + 2) OVER (ORDER BY ord) - 1) / 7000 AS chunk
      FROM unnest(v_tags) WITH ORDINALITY AS u(tag, ord)
    ) AS sized
    GROUP BY chunk
    ORDER BY chunk
  LOOP
    PERFORM pg_notify('cache_invalidation', v_payload);
    v_sent := v_sent + 1;
  END LOOP;
  RETURN v_sent;
END
$fn$;
`;

/**
 * Keeps `chat_sessions.message_count` and `last_activity_at` right for every write, the app's or
 * not. One UPDATE per statement, grouped by chat; it fires `chat_sessions`' own triggers, which
 * invalidate the owner's chat list.
 */
const CHAT_SESSION_COUNTERS_SQL = `
CREATE FUNCTION chat_messages_maintain_session() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE chat_sessions s
       SET message_count = s.message_count + d.n,
           last_activity_at = greatest(s.last_activity_at, d.last_at)
      FROM (SELECT chat_id, count(*) AS n, max(created_at) AS last_at FROM new_rows GROUP BY chat_id) d
     WHERE s.id = d.chat_id;
  ELSE
    UPDATE chat_sessions s
       SET message_count = greatest(s.message_count - d.n, 0)
      FROM (SELECT chat_id, count(*) AS n FROM old_rows GROUP BY chat_id) d
     WHERE s.id = d.chat_id;
  END IF;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER chat_messages_session_insert AFTER INSERT ON chat_messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chat_messages_maintain_session();
CREATE TRIGGER chat_messages_session_delete AFTER DELETE ON chat_messages
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION chat_messages_maintain_session();
`;

/**
 * Live chat events for SSE, on channel `chat_events`, per statement and chunked like the tags:
 * - new messages: `{"messages":[[chat_id, "owner", first_id, last_id], ...]}`: each app instance
 *   reads the rows (`id > its cursor`) for the chats its own subscribers watch;
 * - deleted chats: `{"deleted":[[chat_id, "owner"], ...]}`: open streams end.
 * Ids, not contents: a message may be 4000 characters, and several fit no payload.
 */
const CHAT_EVENTS_SQL = `
CREATE FUNCTION chat_messages_notify_new() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  v_payload text;
BEGIN
  FOR v_payload IN
    SELECT json_build_object('messages', json_agg(json_build_array(chat_id, user_id, first_id, last_id) ORDER BY chat_id))::text
    FROM (
      SELECT g.*, (sum(octet_length(json_build_array(g.chat_id, g.user_id, g.first_id, g.last_id)::text) + 2)
                     OVER (ORDER BY g.chat_id) - 1) / 7000 AS chunk
      FROM (
        SELECT m.chat_id, s.user_id, min(m.id) AS first_id, max(m.id) AS last_id
        FROM new_rows m JOIN chat_sessions s ON s.id = m.chat_id
        GROUP BY m.chat_id, s.user_id
      ) AS g
    ) AS sized
    GROUP BY chunk
    ORDER BY chunk
  LOOP
    PERFORM pg_notify('chat_events', v_payload);
  END LOOP;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER chat_messages_events_insert AFTER INSERT ON chat_messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chat_messages_notify_new();

CREATE FUNCTION chat_sessions_notify_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  v_payload text;
BEGIN
  FOR v_payload IN
    SELECT json_build_object('deleted', json_agg(json_build_array(id, user_id) ORDER BY id))::text
    FROM (
      SELECT r.id, r.user_id, (sum(octet_length(json_build_array(r.id, r.user_id)::text) + 2) OVER (ORDER BY r.id) - 1) / 7000 AS chunk
      FROM old_rows r
    ) AS sized
    GROUP BY chunk
    ORDER BY chunk
  LOOP
    PERFORM pg_notify('chat_events', v_payload);
  END LOOP;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER chat_sessions_events_delete AFTER DELETE ON chat_sessions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION chat_sessions_notify_deleted();
`;

/** The invalidation and chat-event triggers described at the top of this file. */
export class CacheInvalidationTriggers1795310200000 implements MigrationInterface {
  name = 'CacheInvalidationTriggers1795310200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(PUBLISH_TAGS_SQL);
    for (const table of TAGGED_TABLES) await queryRunner.query(taggedTableSql(table));
    await queryRunner.query(CHAT_SESSION_COUNTERS_SQL);
    await queryRunner.query(CHAT_EVENTS_SQL);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
DROP TRIGGER IF EXISTS chat_sessions_events_delete ON chat_sessions;
DROP TRIGGER IF EXISTS chat_messages_events_insert ON chat_messages;
DROP TRIGGER IF EXISTS chat_messages_session_insert ON chat_messages;
DROP TRIGGER IF EXISTS chat_messages_session_delete ON chat_messages;
DROP FUNCTION IF EXISTS chat_sessions_notify_deleted();
DROP FUNCTION IF EXISTS chat_messages_notify_new();
DROP FUNCTION IF EXISTS chat_messages_maintain_session();
`);
    for (const { table } of TAGGED_TABLES) {
      await queryRunner.query(`
DROP TRIGGER IF EXISTS cache_tags_insert ON ${table};
DROP TRIGGER IF EXISTS cache_tags_update ON ${table};
DROP TRIGGER IF EXISTS cache_tags_delete ON ${table};
DROP TRIGGER IF EXISTS cache_tags_truncate ON ${table};
DROP FUNCTION IF EXISTS cache_tags_${table}();
`);
    }
    await queryRunner.query('DROP FUNCTION IF EXISTS cache_publish_tags(text[]);');
  }
}

/*
 * SQL of the expert-session reads. Aggregates use the covering index
 * `expert_session_progress (expert_session_id) INCLUDE (progress_percentage, is_completed)`, one
 * index range per session (LATERAL), so a product filter only reads its own sessions' rows.
 * Counts are cast to int and averages to float8: node-postgres would return bigint/numeric as strings.
 */

const SESSION_WITH_STATS = `
SELECT s.id, s.product_id AS "productId", p.name AS "productName", s.title, s.description,
       s.video_url AS "videoUrl", s.video_duration_seconds AS "videoDurationSeconds", s.is_active AS "isActive",
       s.created_at AS "createdAt", s.updated_at AS "updatedAt",
       st.viewers, st.completions, st."averageProgress"
FROM expert_sessions s
JOIN products p ON p.id = s.product_id
CROSS JOIN LATERAL (
  SELECT count(*)::int AS viewers,
         count(*) FILTER (WHERE esp.is_completed)::int AS completions,
         coalesce(round(avg(esp.progress_percentage), 1), 0)::float8 AS "averageProgress"
  FROM expert_session_progress esp
  WHERE esp.expert_session_id = s.id
) st`;

/** `$1`: product id or NULL for all products. */
export const LIST_WITH_STATS_SQL = `${SESSION_WITH_STATS}
WHERE ($1::int IS NULL OR s.product_id = $1::int)
ORDER BY s.product_id, s.id`;

/** `$1`: session id. */
export const ONE_WITH_STATS_SQL = `${SESSION_WITH_STATS}
WHERE s.id = $1`;

/** `$1`: session ids (int[]); rows in no particular order. */
export const MANY_WITH_STATS_SQL = `${SESSION_WITH_STATS}
WHERE s.id = ANY($1::int[])`;

/** `$1` session, `$2` caller's sub: the session's product and client, and the caller's student row. */
export const WATCH_CONTEXT_SQL = `
SELECT s.product_id AS "productId", p.client_id AS "clientId", st.id AS "studentId", st.client_id AS "studentClientId"
FROM expert_sessions s
JOIN products p ON p.id = s.product_id
LEFT JOIN students st ON st.user_sub = $2
WHERE s.id = $1`;

/**
 * `$1` student, `$2` session, `$3` watch time, `$4` progress. Keeps the maxima, so a replayed or
 * out-of-order report never moves progress back; completion (90%+) is sticky.
 */
export const UPSERT_WATCH_PROGRESS_SQL = `
INSERT INTO expert_session_progress AS e
  (student_id, expert_session_id, watch_time_seconds, progress_percentage, is_completed, completed_at, last_watched_at)
VALUES ($1, $2, $3, $4::smallint, $4::smallint >= 90, CASE WHEN $4::smallint >= 90 THEN now() END, now())
ON CONFLICT (student_id, expert_session_id) DO UPDATE SET
  watch_time_seconds  = greatest(e.watch_time_seconds, excluded.watch_time_seconds),
  progress_percentage = greatest(e.progress_percentage, excluded.progress_percentage),
  is_completed        = e.is_completed OR excluded.is_completed,
  completed_at        = coalesce(e.completed_at, excluded.completed_at),
  last_watched_at     = excluded.last_watched_at
RETURNING expert_session_id AS "expertSessionId", student_id AS "studentId", watch_time_seconds AS "watchTimeSeconds",
          progress_percentage AS "progressPercentage", is_completed AS "isCompleted", completed_at AS "completedAt",
          last_watched_at AS "lastWatchedAt"`;

/**
 * Flush of queued watch progress, one row per (student, session): `$1` students, `$2` sessions,
 * `$3` watch times, `$4` progress, `$5` completion times (NULL if not completed), `$6` watch times
 * (when each was reported). Every column keeps its maximum (completion: its earliest time, and
 * `least` ignores NULL), and the times are the reports', not the flush's: a replayed batch, or one
 * applied out of order, changes nothing. Rows whose student or session was deleted meanwhile are
 * dropped (the joins), so that they cannot block the queue.
 */
export const FLUSH_WATCH_PROGRESS_SQL = `
INSERT INTO expert_session_progress AS e
  (student_id, expert_session_id, watch_time_seconds, progress_percentage, is_completed, completed_at, last_watched_at)
SELECT b.student_id, b.session_id, b.watch_time, b.progress, b.completed_at IS NOT NULL, b.completed_at, b.watched_at
FROM unnest($1::int[], $2::int[], $3::int[], $4::smallint[], $5::timestamptz[], $6::timestamptz[])
  AS b (student_id, session_id, watch_time, progress, completed_at, watched_at)
JOIN students st ON st.id = b.student_id
JOIN expert_sessions es ON es.id = b.session_id
ON CONFLICT (student_id, expert_session_id) DO UPDATE SET
  watch_time_seconds  = greatest(e.watch_time_seconds, excluded.watch_time_seconds),
  progress_percentage = greatest(e.progress_percentage, excluded.progress_percentage),
  is_completed        = e.is_completed OR excluded.is_completed,
  completed_at        = least(e.completed_at, excluded.completed_at),
  last_watched_at     = greatest(e.last_watched_at, excluded.last_watched_at)`;

/** `$1` student, `$2` session: the stored progress, as the write-behind merges it. */
export const WATCH_PROGRESS_ROW_SQL = `
SELECT watch_time_seconds AS "watchTimeSeconds", progress_percentage AS "progressPercentage",
       completed_at AS "completedAt", last_watched_at AS "lastWatchedAt"
FROM expert_session_progress
WHERE student_id = $1 AND expert_session_id = $2`;

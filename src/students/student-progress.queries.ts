/** `$1` student, `$2` module: the student's account and the module's product and client. */
export const PROGRESS_CONTEXT_SQL = `
SELECT st.user_sub AS "userSub", m.product_id AS "productId", p.client_id AS "clientId"
FROM students st
LEFT JOIN modules m ON m.id = $2
LEFT JOIN products p ON p.id = m.product_id
WHERE st.id = $1`;

/**
 * `$1` student, `$2` module, `$3` status, `$4` progress, `$5` score. The start and completion times
 * are kept from the first time they happened; moving back to `not_started` clears them.
 */
export const UPSERT_MODULE_PROGRESS_SQL = `
INSERT INTO student_module_progress AS p
  (student_id, module_id, status, progress_percentage, score, started_at, completed_at, updated_at)
VALUES ($1, $2, $3::text, $4, $5,
        CASE WHEN $3::text <> 'not_started' THEN now() END,
        CASE WHEN $3::text = 'completed' THEN now() END,
        now())
ON CONFLICT (student_id, module_id) DO UPDATE SET
  status              = excluded.status,
  progress_percentage = excluded.progress_percentage,
  score               = excluded.score,
  started_at          = CASE WHEN excluded.status = 'not_started' THEN NULL ELSE coalesce(p.started_at, excluded.started_at) END,
  completed_at        = CASE WHEN excluded.status = 'completed' THEN coalesce(p.completed_at, excluded.completed_at) END,
  updated_at          = now()
RETURNING student_id AS "studentId", module_id AS "moduleId", status, progress_percentage AS "progressPercentage",
          score::float8 AS score, started_at AS "startedAt", completed_at AS "completedAt", updated_at AS "updatedAt"`;

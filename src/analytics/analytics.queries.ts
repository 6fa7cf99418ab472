/**
 * Seed 003's `calculate_product_performance`, per product of one client (`$1`) or of all (`$1` NULL):
 * - enrolled students: students with any progress row in the product's modules;
 * - completed students: those who completed every module; completion rate = completed / enrolled;
 * - average score: over every scored (completed) module of the product;
 * - modules: each with learners, completions and average score, in sequence order.
 * Both aggregates read `student_module_progress` through its covering index on `module_id`.
 */
export const PRODUCT_PERFORMANCE_SQL = `
WITH prod AS (
  SELECT p.id, p.name, p.client_id, c.name AS client_name
  FROM products p JOIN clients c ON c.id = p.client_id
  WHERE ($1::int IS NULL OR p.client_id = $1::int)
),
module_stats AS (
  SELECT m.id, m.product_id, m.name, m.module_type, m.sequence,
         count(smp.student_id)::int AS learners,
         (count(*) FILTER (WHERE smp.status = 'completed'))::int AS completions,
         round(avg(smp.score), 2)::float8 AS average_score
  FROM prod
  JOIN modules m ON m.product_id = prod.id
  LEFT JOIN student_module_progress smp ON smp.module_id = m.id
  GROUP BY m.id
),
per_student AS (
  SELECT m.product_id, smp.student_id,
         count(*) FILTER (WHERE smp.status = 'completed') AS completed_modules,
         sum(smp.score) AS score_sum, count(smp.score) AS score_count
  FROM prod
  JOIN modules m ON m.product_id = prod.id
  JOIN student_module_progress smp ON smp.module_id = m.id
  GROUP BY m.product_id, smp.student_id
),
per_product AS (
  SELECT ps.product_id,
         count(*)::int AS enrolled,
         (count(*) FILTER (WHERE ps.completed_modules = mc.module_count))::int AS completed,
         round(sum(ps.score_sum) / nullif(sum(ps.score_count), 0), 2)::float8 AS average_score
  FROM per_student ps
  JOIN (SELECT product_id, count(*) AS module_count FROM module_stats GROUP BY product_id) mc ON mc.product_id = ps.product_id
  GROUP BY ps.product_id
)
SELECT prod.id AS "productId", prod.name AS "productName", prod.client_id AS "clientId", prod.client_name AS "clientName",
       coalesce(pp.enrolled, 0) AS "enrolledStudents",
       coalesce(pp.completed, 0) AS "completedStudents",
       coalesce(round(100.0 * pp.completed / nullif(pp.enrolled, 0), 1), 0)::float8 AS "completionRate",
       pp.average_score AS "averageScore",
       coalesce(mods.list, '[]'::json) AS modules
FROM prod
LEFT JOIN per_product pp ON pp.product_id = prod.id
LEFT JOIN LATERAL (
  SELECT json_agg(json_build_object(
           'moduleId', ms.id, 'name', ms.name, 'type', ms.module_type, 'sequence', ms.sequence,
           'learners', ms.learners, 'completions', ms.completions, 'averageScore', ms.average_score)
         ORDER BY ms.sequence) AS list
  FROM module_stats ms WHERE ms.product_id = prod.id
) mods ON true
ORDER BY prod.client_id, prod.id`;

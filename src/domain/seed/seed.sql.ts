import type { SeedScale } from './seed-scales.js';

/** One named, set-based step of the seed. */
export interface SeedStep {
  readonly name: string;
  readonly sql: string;
}

/**
 * Every "random" choice is `pg_temp.seed_rnd(id, salt)`: a hash of the row's own ids, uniform in
 * [0, 1). Unlike `random()` it does not depend on row order, plan or parallel workers, so a scale
 * always produces the same rows. All timestamps count from a fixed epoch, not `now()`.
 */
const RANDOM_FUNCTION = `
CREATE OR REPLACE FUNCTION pg_temp.seed_rnd(p_id bigint, p_salt bigint) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ((hashint8extended(p_id, p_salt) >> 11) & 9007199254740991)::double precision / 9007199254740992 $$;

CREATE OR REPLACE FUNCTION pg_temp.seed_pick(p_items text[], p_id bigint, p_salt bigint) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT p_items[1 + floor(pg_temp.seed_rnd(p_id, p_salt) * cardinality(p_items))::int] $$;
`;

const EPOCH = `timestamptz '2026-01-05 09:00:00+00'`;

const CLIENT_NAMES = [
  'Northwind University', 'Contoso Institute of Technology', 'Fabrikam Business School', 'Tailspin Polytechnic',
  'Woodgrove College', 'Adventure Works Academy', 'Litware Skills Centre', 'Proseware Coding School',
  'Alpine Ski Institute', 'Lucerne Career College', 'Margie Travel Academy', 'Trey Research University',
];
const PRODUCT_NAMES = [
  'Full-Stack Web Development', 'Data Analytics', 'Cloud Engineering', 'Product Management',
  'UX Design', 'Cybersecurity Fundamentals', 'Machine Learning Engineering', 'Job Readiness Program',
];
const MODULE_TOPICS = [
  'Foundations', 'Version Control and Collaboration', 'Working with Data', 'APIs and Integration',
  'Testing and Quality', 'Security Basics', 'Cloud Deployment', 'Performance', 'Capstone Planning',
  'Portfolio Review', 'Communication at Work', 'Interview Preparation',
];
const SESSION_TITLES = [
  'How I Got My First Engineering Job', 'Reading a Job Description Like a Recruiter', 'System Design Interviews, Demystified',
  'Building a Portfolio That Gets Replies', 'Salary Negotiation for New Graduates', 'A Day in the Life of a Data Analyst',
  'From Bootcamp to Senior in Five Years', 'Behavioural Interviews: the STAR Method', 'Working Remotely Without Burning Out',
  'What Hiring Managers Look For', 'Networking for Introverts', 'Your First 90 Days in a New Role',
];
const FIRST_NAMES = [
  'Amara', 'Ben', 'Chen', 'Diego', 'Elif', 'Farah', 'Gustav', 'Hana', 'Ivan', 'Jamal', 'Kira', 'Liam', 'Maya', 'Noah',
  'Olga', 'Priya', 'Quentin', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zoe',
];
const LAST_NAMES = [
  'Adeyemi', 'Bauer', 'Costa', 'Dubois', 'Eriksen', 'Fernandes', 'Garcia', 'Haddad', 'Ito', 'Jensen', 'Kowalski',
  'Larsen', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Singh', 'Tanaka', 'Usman', 'Volkov',
  'Weber', 'Xu', 'Yilmaz', 'Zhang',
];
const CHAT_TITLES = [
  'Help with my capstone project', 'Mock interview practice', 'Understanding SQL joins', 'Resume feedback',
  'Debugging a failing test', 'Questions about the cloud module', 'Career change advice', 'Explaining Big-O',
  'Preparing for the assessment', 'Cover letter draft', 'REST vs GraphQL', 'Time management tips',
];
const USER_MESSAGES = [
  'Can you explain this in simpler terms?', 'I keep getting an error when I run the tests. What should I check first?',
  'How would you structure the answer to this interview question?', 'Could you review this paragraph of my resume?',
  'What is the difference between an inner join and a left join?', 'How much time should I spend on the capstone each week?',
  'Is it worth learning Kubernetes at this stage?', 'Can you give me a practice question on this topic?',
  'I am not sure my solution is efficient enough. How can I tell?', 'What should I say when they ask about my weaknesses?',
];
const ASSISTANT_MESSAGES = [
  'Sure. Think of it as a lookup: for each row on the left, find the matching rows on the right.',
  'Start with the first failing assertion and read the expected and actual values carefully.',
  'Use the STAR structure: situation, task, action, result, and keep the result measurable.',
  'Lead with impact: what changed because of your work, with a number if you have one.',
  'An inner join keeps only matching rows; a left join keeps every row from the left table.',
  'Around eight to ten focused hours a week is realistic alongside the other modules.',
  'Learn the concepts first: containers, images and deployments. The tooling follows.',
  'Here is one: given a list of orders, return the three customers with the highest total spend.',
  'Count how the work grows with the input size: one loop is linear, a loop inside a loop is quadratic.',
  'Pick a real weakness, show what you are doing about it, and give a recent example of progress.',
];

function textArray(items: readonly string[]): string {
  return `ARRAY[${items.map((item) => `'${item.replace(/'/g, "''")}'`).join(', ')}]::text[]`;
}

/** Empties the domain tables; their TRUNCATE triggers invalidate every cached entry of the area. */
export const TRUNCATE_SQL = `
TRUNCATE clients, products, modules, students, student_module_progress, expert_sessions, expert_session_progress,
         chat_sessions, chat_messages RESTART IDENTITY CASCADE`;

/** The seed's steps, in order. Run them in one transaction, then `ANALYZE`. */
export function seedSteps(scale: SeedScale): SeedStep[] {
  const s = scale;
  return [
    { name: 'helpers', sql: RANDOM_FUNCTION },
    { name: 'truncate', sql: TRUNCATE_SQL },
    {
      name: 'clients',
      sql: `
INSERT INTO clients (name, created_at)
SELECT names[1 + (i - 1) % cardinality(names)] || CASE WHEN i > cardinality(names) THEN ' ' || (1 + (i - 1) / cardinality(names)) ELSE '' END,
       ${EPOCH} - interval '400 days' + i * interval '3 days'
FROM generate_series(1, ${s.clients}) AS i, (SELECT ${textArray(CLIENT_NAMES)} AS names) AS n`,
    },
    {
      name: 'products',
      sql: `
INSERT INTO products (client_id, name, description, created_at, updated_at)
SELECT c.id, n.names[1 + (c.id + j) % cardinality(n.names)],
       'A ' || (8 + (c.id + j) % 5 * 4) || '-week programme with projects, assessments and expert sessions.',
       c.created_at + j * interval '10 days', c.created_at + j * interval '10 days'
FROM clients c, generate_series(0, ${s.productsPerClient - 1}) AS j, (SELECT ${textArray(PRODUCT_NAMES)} AS names) AS n
ORDER BY c.id, j`,
    },
    {
      name: 'modules',
      sql: `
INSERT INTO modules (product_id, name, module_type, sequence)
SELECT p.id,
       'Module ' || q || ': ' || pg_temp.seed_pick(${textArray(MODULE_TOPICS)}, p.id * 100 + q, 11),
       CASE WHEN q = ${s.modulesPerProduct} THEN 'interview' WHEN q % 4 = 0 THEN 'project' WHEN q % 3 = 0 THEN 'assessment' ELSE 'course' END,
       q
FROM products p, generate_series(1, ${s.modulesPerProduct}) AS q
ORDER BY p.id, q`,
    },
    {
      name: 'students',
      sql: `
INSERT INTO students (client_id, user_sub, full_name, email, created_at)
SELECT c.id, 'student-' || n, first_name || ' ' || last_name,
       lower(first_name || '.' || last_name || '.' || n) || '@students.example.edu',
       c.created_at + (pg_temp.seed_rnd(n, 21) * 300)::int * interval '1 day'
FROM clients c,
     generate_series((c.id - 1) * ${s.studentsPerClient} + 1, c.id * ${s.studentsPerClient}) AS n,
     LATERAL (SELECT pg_temp.seed_pick(${textArray(FIRST_NAMES)}, n, 22) AS first_name,
                     pg_temp.seed_pick(${textArray(LAST_NAMES)}, n, 23) AS last_name) AS names
ORDER BY n`,
    },
    {
      name: 'expert_sessions',
      sql: `
INSERT INTO expert_sessions (product_id, title, description, video_url, video_duration_seconds, is_active, created_at, updated_at)
SELECT p.id, pg_temp.seed_pick(${textArray(SESSION_TITLES)}, p.id * 100 + k, 31) || ' (part ' || k || ')',
       'A recorded conversation with an industry expert for ' || p.name || ' learners.',
       'https://videos.example.com/expert-sessions/' || p.id || '-' || k || '.mp4',
       1200 + (pg_temp.seed_rnd(p.id * 100 + k, 32) * 4200)::int,
       pg_temp.seed_rnd(p.id * 100 + k, 33) >= 0.1,
       p.created_at + k * interval '7 days', p.created_at + k * interval '7 days'
FROM products p, generate_series(1, ${s.sessionsPerProduct}) AS k
ORDER BY p.id, k`,
    },
    {
      // Which products each student takes, and how far they got: 1 or 2 of their client's products,
      // picked round-robin from the student's id so every product gets learners.
      name: 'enrolments',
      sql: `
CREATE TEMP TABLE seed_enrolments ON COMMIT DROP AS
SELECT s.id AS student_id, p.id AS product_id, s.created_at AS enrolled_at,
       CASE WHEN pg_temp.seed_rnd(s.id * 1000 + p.id, 41) < 0.35 THEN ${s.modulesPerProduct}
            ELSE 1 + floor(pg_temp.seed_rnd(s.id * 1000 + p.id, 42) * ${s.modulesPerProduct})::int END AS reached
FROM students s
JOIN (SELECT id, client_id, row_number() OVER (PARTITION BY client_id ORDER BY id) - 1 AS idx FROM products) p
  ON p.client_id = s.client_id
WHERE (p.idx - s.id % ${s.productsPerClient} + ${s.productsPerClient}) % ${s.productsPerClient}
      < 1 + floor(pg_temp.seed_rnd(s.id, 43) * ${Math.min(2, s.productsPerClient)})::int`,
    },
    {
      // Modules before the one reached are completed; the reached one is completed 30% of the time.
      name: 'student_module_progress',
      sql: `
INSERT INTO student_module_progress (student_id, module_id, status, progress_percentage, score, started_at, completed_at, updated_at)
SELECT e.student_id, m.id, x.status,
       CASE WHEN x.status = 'completed' THEN 100 ELSE 5 + floor(x.r * 90)::int END,
       CASE WHEN x.status = 'completed' THEN round((45 + pg_temp.seed_rnd(x.h, 52) * 55)::numeric, 2) END,
       x.started_at,
       CASE WHEN x.status = 'completed' THEN x.started_at + (1 + floor(x.r * 20)::int) * interval '1 day' END,
       x.started_at + (1 + floor(x.r * 20)::int) * interval '1 day'
FROM seed_enrolments e
JOIN modules m ON m.product_id = e.product_id AND m.sequence <= e.reached,
LATERAL (
  SELECT e.student_id::bigint * 100000 + m.id AS h,
         pg_temp.seed_rnd(e.student_id::bigint * 100000 + m.id, 51) AS r,
         e.enrolled_at + (m.sequence - 1) * interval '12 days' AS started_at,
         CASE WHEN m.sequence < e.reached OR pg_temp.seed_rnd(e.student_id::bigint * 100000 + m.id, 53) < 0.3
              THEN 'completed' ELSE 'in_progress' END AS status
) AS x`,
    },
    {
      // About half of each enrolled product's sessions were watched; 90% or more counts as completed.
      name: 'expert_session_progress',
      sql: `
INSERT INTO expert_session_progress (student_id, expert_session_id, watch_time_seconds, progress_percentage, is_completed, completed_at, last_watched_at)
SELECT e.student_id, es.id, (es.video_duration_seconds * x.pct / 100)::int, x.pct, x.pct >= 90,
       CASE WHEN x.pct >= 90 THEN x.watched_at END, x.watched_at
FROM seed_enrolments e
JOIN expert_sessions es ON es.product_id = e.product_id,
LATERAL (
  SELECT CASE WHEN pg_temp.seed_rnd(e.student_id::bigint * 100000 + es.id, 62) < 0.45 THEN 100
              ELSE 1 + floor(pg_temp.seed_rnd(e.student_id::bigint * 100000 + es.id, 63) * 99)::int END AS pct,
         greatest(e.enrolled_at, es.created_at) + (1 + floor(pg_temp.seed_rnd(e.student_id::bigint * 100000 + es.id, 64) * 60)::int) * interval '1 day' AS watched_at
) AS x
WHERE pg_temp.seed_rnd(e.student_id::bigint * 100000 + es.id, 61) < 0.5`,
    },
    {
      name: 'chat_sessions',
      sql: `
INSERT INTO chat_sessions (user_id, title, created_at, updated_at, last_activity_at)
SELECT 'student-' || u, pg_temp.seed_pick(${textArray(CHAT_TITLES)}, u * 100 + k, 71),
       ${EPOCH} + (pg_temp.seed_rnd(u * 100 + k, 72) * 300)::int * interval '1 day',
       ${EPOCH} + (pg_temp.seed_rnd(u * 100 + k, 72) * 300)::int * interval '1 day',
       ${EPOCH} + (pg_temp.seed_rnd(u * 100 + k, 72) * 300)::int * interval '1 day'
FROM generate_series(1, ${s.chatUsers}) AS u, generate_series(1, ${s.chatsPerUser}) AS k
ORDER BY u, k`,
    },
    {
      // Alternating user / assistant turns, a minute or two apart. The chat_messages triggers bump
      // each chat's message_count and last_activity_at, once per statement.
      name: 'chat_messages',
      sql: `
INSERT INTO chat_messages (chat_id, role, content, created_at)
SELECT c.id,
       CASE WHEN g % 2 = 1 THEN 'user' ELSE 'assistant' END,
       CASE WHEN g % 2 = 1 THEN pg_temp.seed_pick(${textArray(USER_MESSAGES)}, c.id::bigint * 1000 + g, 81)
            ELSE pg_temp.seed_pick(${textArray(ASSISTANT_MESSAGES)}, c.id::bigint * 1000 + g, 82) END,
       c.created_at + g * interval '97 seconds'
FROM chat_sessions c,
     generate_series(1, greatest(1, round(${s.messagesPerChat} * (0.5 + pg_temp.seed_rnd(c.id, 83)))::int)) AS g`,
    },
  ];
}

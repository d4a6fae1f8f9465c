// A todo list on Postgres. Nexus provisions the database and injects
// DATABASE_URL (`database: postgres` in nexus.yaml); the app creates its
// table on start, stores todos (POST /todos, body = text), lists them
// (GET /todos, JSON), and is healthy only while the database answers.
const http = require('node:http');
const { Pool } = require('pg');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4, connectionTimeoutMillis: 3000 });
pool.on('error', (error) => console.error(`database connection lost: ${error.message}`));

async function migrate() {
  await pool.query('CREATE TABLE IF NOT EXISTS todos (id serial PRIMARY KEY, text text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => {
      body += chunk;
      if (body.length > 10_000) reject(new Error('too long'));
    });
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

function send(response, status, value) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify(value)}\n`);
}

const server = http.createServer(async (request, response) => {
  try {
    if (request.url === '/healthz') {
      await pool.query('SELECT 1');
      return send(response, 200, { ok: true });
    }
    if (request.url === '/todos' && request.method === 'GET') {
      const { rows } = await pool.query('SELECT id, text FROM todos ORDER BY id');
      return send(response, 200, rows);
    }
    if (request.url === '/todos' && request.method === 'POST') {
      const text = (await readBody(request)).trim();
      if (!text) return send(response, 400, { error: 'send the todo text as the request body' });
      const { rows } = await pool.query('INSERT INTO todos (text) VALUES ($1) RETURNING id, text', [text]);
      return send(response, 201, rows[0]);
    }
    send(response, 404, { error: 'try GET /todos or POST /todos' });
  } catch (error) {
    send(response, 503, { error: `database unavailable: ${error.message}` });
  }
});

const port = Number(process.env.PORT || 3000);
// Retry the first migration: the database may still be starting.
(async function start(attempt = 1) {
  try {
    await migrate();
  } catch (error) {
    if (attempt >= 20) throw error;
    console.error(`waiting for the database (${error.message})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    return start(attempt + 1);
  }
  server.listen(port, () => console.log(`todo-pg listening on ${port}`));
})();

process.on('SIGTERM', () => {
  server.close(() => pool.end().then(() => process.exit(0)));
  server.closeIdleConnections();
});

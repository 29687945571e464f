import type { TestApp } from '../requests/request-test-kit.ts';

const boundary = '----mamoriquota';
const fields = { kind: 'disclosure', description: '母の代理で請求します', agent_kind: 'mandated', agent_relationship: '子', agent_name: '代理 花子' };

/**
 * A multipart agent filing generated on the fly (the client holds one chunk at a time, so memory figures are the
 * server's). `gate`, when given, holds the body mid-file (after its first bytes) until it opens.
 */
export function streamedFiling(email: string, files: number, bytesEach: number, gate?: Promise<void>): ReadableStream<Uint8Array> {
  const head = (name: string, filename?: string) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"\r\nContent-Type: application/pdf` : ''}\r\n\r\n`);
  const parts: Array<() => Buffer | Generator<Buffer>> = [];
  for (const [k, v] of Object.entries({ ...fields, email })) parts.push(() => Buffer.concat([head(k), Buffer.from(v), Buffer.from('\r\n')]));
  for (let f = 0; f < files; f++) {
    parts.push(function* () {
      yield head('power_of_attorney', `proof${f}.pdf`);
      yield Buffer.from('%PDF-1.4\n');
      const chunk = Buffer.alloc(256 * 1024, 0x41);
      for (let sent = 9; sent < bytesEach; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, bytesEach - sent));
      yield Buffer.from('\r\n');
    });
  }
  parts.push(() => Buffer.from(`--${boundary}--\r\n`));
  const gen = (function* () {
    for (const p of parts) {
      const out = p();
      if (Buffer.isBuffer(out)) yield out;
      else yield* out;
    }
  })();
  let pulled = 0;
  return new ReadableStream({
    async pull(controller) {
      // The fields and the first file's head and first bytes go out at once; the rest waits for the gate.
      if (gate && pulled++ === Object.keys(fields).length + 4) await gate;
      const next = gen.next();
      if (next.done) controller.close();
      else controller.enqueue(new Uint8Array(next.value));
    },
  });
}

/** Posts one streamed agent filing to the requester API; a connection refused or reset is status 0. */
export async function fileStreamed(url: string, email: string, files: number, bytesEach: number, gate?: Promise<void>): Promise<{ status: number; json: Record<string, unknown> }> {
  try {
    const res = await fetch(`${url}/api/v1/requests`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: streamedFiling(email, files, bytesEach, gate), duplex: 'half' } as RequestInit);
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { body: text.slice(0, 200) };
    }
    return { status: res.status, json };
  } catch (err) {
    return { status: 0, json: { error: err instanceof Error ? String(err.cause ?? err.message) : 'error' } };
  }
}

export async function file(app: TestApp, email: string, files: number, bytesEach: number): Promise<{ status: number; json: Record<string, unknown> }> {
  return fileStreamed(app.url, email, files, bytesEach);
}

export async function storedBytes(app: Pick<TestApp, 'store'>): Promise<number> {
  const r = await app.store.db.selectFrom('request_files').select((eb) => eb.fn.sum<number>('size').as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Runs `fn` with MAMORI_UPLOAD_QUOTAS (and other env) set, restoring them after. */
export async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

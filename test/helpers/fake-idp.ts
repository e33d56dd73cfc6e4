import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** A minimal OpenID Connect provider on 127.0.0.1 for tests: discovery, JWKS, /authorize (auto-consent) and /token (code + PKCE). */
export interface FakeIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** the claims the next login's ID token carries (sub is required) */
  user: Record<string, unknown>;
  /** token requests seen, for assertions */
  tokenRequests: URLSearchParams[];
  close(): Promise<void>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  nonce: string | null;
  challenge: string | null;
  claims: Record<string, unknown>;
}

export async function startFakeIdp(opts: { clientId?: string; clientSecret?: string } = {}): Promise<FakeIdp> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'fake-idp-key-1';
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const codes = new Map<string, PendingCode>();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp: FakeIdp = {
    issuer,
    clientId: opts.clientId ?? 'nvf-web',
    clientSecret: opts.clientSecret ?? 'fake-idp-client-secret',
    user: { sub: 'user-1' },
    tokenRequests: [],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections(); // keep-alive sockets of the client would otherwise hold the server open
      }),
  };

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  };

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri');
      if (q.get('client_id') !== idp.clientId || !redirectUri || q.get('response_type') !== 'code') return json(res, 400, { error: 'invalid_request' });
      const code = crypto.randomBytes(16).toString('base64url');
      codes.set(code, { clientId: idp.clientId, redirectUri, nonce: q.get('nonce'), challenge: q.get('code_challenge'), claims: { ...idp.user } });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      if (q.get('state')) back.searchParams.set('state', q.get('state')!);
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        void (async () => {
          const form = new URLSearchParams(body);
          idp.tokenRequests.push(form);
          const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
          const [id, secret] = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').map(decodeURIComponent) : [form.get('client_id'), form.get('client_secret')];
          if (id !== idp.clientId || secret !== idp.clientSecret) return json(res, 401, { error: 'invalid_client' });
          const pending = codes.get(form.get('code') ?? '');
          codes.delete(form.get('code') ?? '');
          if (form.get('grant_type') !== 'authorization_code' || !pending || pending.redirectUri !== form.get('redirect_uri')) return json(res, 400, { error: 'invalid_grant' });
          const verifier = form.get('code_verifier') ?? '';
          if (pending.challenge && crypto.createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE' });
          const idToken = await signIdToken(privateKey, kid, issuer, idp.clientId, pending);
          json(res, 200, { access_token: crypto.randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
        })();
      });
      return;
    }
    json(res, 404, { error: 'not_found' });
  });
  return idp;
}

async function signIdToken(key: CryptoKey, kid: string, issuer: string, clientId: string, p: PendingCode): Promise<string> {
  const { sub, ...claims } = p.claims;
  return new SignJWT({ ...claims, ...(p.nonce ? { nonce: p.nonce } : {}) })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(issuer)
    .setAudience(clientId)
    .setSubject(String(sub))
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
}

// A real OpenID provider for crates/proxy/tests/oidc.rs: oidc-provider (the
// OpenID-certified Node implementation, installed by `cargo xtask setup` under
// .tools/npm), on loopback, with one confidential client and two accounts.
//
//   node provider.mjs NPM_PREFIX PORT REDIRECT_URI
//
// NPM_PREFIX is where oidc-provider is installed (`<repo>/.tools/npm`): an ES module
// import does not search NODE_PATH, so the package is loaded from there by path.
// Prints the issuer URL on one line once it listens.
//
// What the test relies on: the built-in development interactions (`devInteractions`,
// enabled by default): GET /interaction/:uid shows a form that posts `prompt=login`,
// `login` (any account id is accepted; the password is not checked) and `password`
// back to the same URL; a consent form then posts `prompt=consent`. Accounts come
// from findAccount below: the login name is the account id.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [prefix, port, redirectUri] = process.argv.slice(2);
if (!prefix || !port || !redirectUri) {
  console.error('usage: node provider.mjs NPM_PREFIX PORT REDIRECT_URI');
  process.exit(2);
}
const entry = join(prefix, 'node_modules', 'oidc-provider', 'lib', 'index.js');
const { default: Provider } = await import(pathToFileURL(entry).href);
const issuer = `http://127.0.0.1:${port}`;
const publicUrl = new URL(redirectUri).origin;

const accounts = {
  olivia: { preferred_username: 'olivia', email: 'olivia@example.test', groups: ['ops'] },
  victor: { preferred_username: 'victor', email: 'victor@example.test', groups: ['viewers'] },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'rewind',
      client_secret: 'rewind-test-secret-not-for-production',
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [`${publicUrl}/`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username'],
    email: ['email'],
    groups: ['groups'],
  },
  // Scope claims in the ID token even though an access token is issued too (the
  // certified default puts them only in userinfo for the code flow).
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['oidc-test-cookie-key-not-secret'] },
  async findAccount(ctx, id) {
    const known = accounts[id] || {};
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...known };
      },
    };
  },
});

const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(issuer);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

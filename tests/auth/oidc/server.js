// A real OpenID Connect provider for the single sign-on tests (tests/auth/test_sso.py).
//
// Started by the pytest fixture as `node server.js` with:
//   OIDC_PORT           the port to listen on (127.0.0.1)
//   OIDC_CLIENT_ID      the one client, ...
//   OIDC_CLIENT_SECRET  ... its secret
//   OIDC_REDIRECT_URI   ... and its redirect URI (the app's /login/sso/callback)
//   OIDC_ACCOUNTS       JSON: {"account-id": {"email": "...", "email_verified": true}, ...}
// The development interactions let a test log in by posting the account id as the login.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT || 0);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    // A "native" client may use a plain-http loopback redirect URI (the test app's).
    application_type: 'native',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  cookies: { keys: ['casework-test-oidc-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...account };
      },
    };
  },
});

// The warnings of the development-only features are expected here.
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

import { parseArgs } from 'node:util';
import { runCli, UsageError } from './cli.js';
import { isRole, ROLES } from '../src/auth/auth.types.js';
import { signToken } from '../src/auth/token.codec.js';
import { jwtSecret } from '../src/config/config.loader.js';

const USAGE = `Usage: npm run -s token -- --sub <subject> [--role user|admin] [--expires 1h]
Prints an HS256 bearer token signed with AUTH_JWT_SECRET (the app's development secret when unset),
with iss = AUTH_JWT_ISSUER and aud = AUTH_JWT_AUDIENCE when they are set.`;

/** `npm run token -- --sub alice --role admin`: prints a token the running app accepts. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      role: { type: 'string', default: 'user' },
      expires: { type: 'string', default: '1h' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.sub) throw new UsageError('--sub is required');
  if (!isRole(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got ${values.role}`);

  const auth = jwtSecret();
  if (auth.usingInsecureDefaultSecret) {
    // stderr, so `TOKEN=$(npm run -s token -- ...)` captures only the token.
    console.error('AUTH_JWT_SECRET not set: signing with the INSECURE development secret (matches an app started without it).');
  }
  console.log(await signToken(auth.jwtSecret, { sub: values.sub, role: values.role }, values.expires, auth));
}

runCli(main, USAGE);

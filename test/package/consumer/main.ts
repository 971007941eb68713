// The consumer apps' entry point (test/package/consumers.sh): `node dist/main.js` checks the app built from
// docs/examples against the mock and prints how readiness reported the revoked key.
import { AppModule } from './app.module.js';
import { smoke } from './smoke.js';

smoke(AppModule).then(
  (readyAs) => console.log(`chat 200, stream SSE, ready 200 (${readyAs}) on Node ${process.version}`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

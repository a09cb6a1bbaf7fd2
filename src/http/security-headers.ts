import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * Response headers for every route, the page's files and the API alike
 * (issue 12, "No CSP, nosniff or frame-ancestors headers"). The page is plain
 * files from this origin with no inline script or style, so the policy allows
 * this origin only: `data:` images for the visitor pass QR (an SVG data URL),
 * `connect-src 'self'` for the API and the live feed (fetch, not a URL with a
 * token). No framing at all: the lockdown switch must not be clickjacked.
 */
export const SECURITY_HEADERS: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      // No upgrade-insecure-requests: on the plain loopback listener it would send the page's own files to a port with no TLS.
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  // HSTS is ignored on a self-signed certificate (RFC 6797, 8.1) and on an IP address, and on localhost would pin other local tools to HTTPS.
  strictTransportSecurity: false,
};
